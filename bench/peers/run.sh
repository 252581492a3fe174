#!/usr/bin/env bash
# The assessor side by side with its peers (README, "Side by side with the peers"). Not run by CI: the peers'
# release build takes ~8 minutes the first time (zen-engine pulls in QuickJS, reqwest, …).
#
#   bash bench/peers/run.sh     # bench --n 20000 --seed 42 --runs 5 --no-stages --only native,rhai,zen,assessor,assessor-compact
#   bash bench/peers/run.sh bench --n 2000 --runs 3 --only native,assessor   # any of their binaries, with its arguments
#   bash bench/peers/run.sh agree_assessor --n 10000                         # decisions, tiers, amounts: assessor vs native
#
# PEERS names the peers' folder (default: ../shared/peers beside the repository's root). Their README says to copy
# it out to build and keep their code out of the product, so it is copied to target/peers/ (their sources replaced
# on every run, their build kept) and given only these, all ours:
#   - src/assessor_item.rs (bench/peers/assessor_item.rs): the assessor's pipeline, and `pub mod` for it in their lib.rs;
#   - src/bin/agree_assessor.rs (bench/peers/agree_assessor.rs);
#   - a path dependency on this repository in their Cargo.toml, and bench/peers/Cargo.lock (theirs plus the
#     assessor's dependencies), so that builds repeat;
#   - bench/peers/bench.patch: three items in their bench's ITEMS and its bench_assessor function.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
peers=${PEERS:-$root/../shared/peers}
out=$root/target/peers
[ -f "$peers/Cargo.toml" ] && [ -f "$peers/src/bin/bench.rs" ] || { echo "run.sh: no peers at $peers (set PEERS)" >&2; exit 2; }

# Their sources with our additions are put together in a staging folder, then copied over target/peers/ file by
# file where they differ: unchanged files keep their times, so cargo rebuilds only what changed (each binary links
# zen with thin LTO: minutes).
stage=$root/target/peers-staging
rm -rf "$stage"
mkdir -p "$stage" "$out"
cp -R "$peers"/. "$stage"/
rm -rf "$stage/target" "$stage/data"    # their build output and generated cases, if any
chmod -R u+w "$stage"

cp "$here/assessor_item.rs" "$stage/src/assessor_item.rs"
echo 'pub mod assessor_item;' >> "$stage/src/lib.rs"
cp "$here/agree_assessor.rs" "$stage/src/bin/agree_assessor.rs"
printf '\n[dependencies.assessor]\npath = "%s"\n' "$root" >> "$stage/Cargo.toml"
cp "$here/Cargo.lock" "$stage/Cargo.lock"
patch --quiet -p1 -d "$stage" < "$here/bench.patch"

(cd "$stage" && find . -type f) | while IFS= read -r f; do
    if ! cmp -s "$stage/$f" "$out/$f"; then
        mkdir -p "$(dirname "$out/$f")"
        cp "$stage/$f" "$out/$f"
    fi
done
(cd "$out" && find . \( -path ./target -o -path ./data \) -prune -o -type f -print) | while IFS= read -r f; do
    [ -e "$stage/$f" ] || rm -f "$out/$f"
done

cd "$out"
if [ $# -eq 0 ]; then
    set -- bench --n 20000 --seed 42 --runs 5 --no-stages --only native,rhai,zen,assessor,assessor-compact
fi
bin=$1
shift
# Our two binaries, and the one asked for (each links zen with thin LTO: minutes; built together, once)
case $bin in bench | agree_assessor) extra=() ;; *) extra=(--bin "$bin") ;; esac
cargo build --release --bin bench --bin agree_assessor "${extra[@]}"
exec "target/release/$bin" "$@"
