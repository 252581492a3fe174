//! Rebuild when the default policy changes: the binary embeds `rules/`.
fn main() {
    println!("cargo:rerun-if-changed=rules");
}
