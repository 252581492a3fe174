//! `assessor interview [--rules DIR] [--lang en|zh] [--from CASE] [--out FILE] [--answers FILE]`
//!
//! Asks the questions that matter for a case, one line per answer, saves the case file atomically and
//! writes the recommendation; dispatched by `run` in `cli.rs`.

use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::PathBuf;

use assessor::interview::{AnswerKind, Interview, Lang, Question, Reply};

use super::{LangArg, LineReader, PolicyArgs, DEFAULT_MAX_SIZE, OK, PROBLEMS};

/// Arguments of `interview`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    policy: PolicyArgs,
    /// Language of the questions.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// Start from a partial case file.
    #[arg(long, value_name = "CASE")]
    from: Option<PathBuf>,
    /// Where to write the case file (default: <case id>.json here).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Read the answers from FILE, one per line, instead of the terminal.
    #[arg(long, value_name = "FILE")]
    answers: Option<PathBuf>,
    /// Largest --from case file and longest answer line to read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: u64,
}

fn hint(q: &Question, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match &q.kind {
        AnswerKind::YesNo => if zh { "是 / 否" } else { "yes / no" }.to_string(),
        AnswerKind::Choice(_) => q
            .labels
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{} {v}", i + 1))
            .collect::<Vec<_>>()
            .join(", "),
        AnswerKind::Whole { min, max } => format!("{min}–{max}"),
        AnswerKind::Money => if zh { "元" } else { "yuan" }.to_string(),
        AnswerKind::Date => if zh { "年-月-日" } else { "YYYY-MM-DD" }.to_string(),
        AnswerKind::Count => if zh { "人数" } else { "a number" }.to_string(),
        AnswerKind::Text => String::new(),
    }
}

/// Runs `interview`.
pub fn run(args: Args) -> u8 {
    let policy = match super::load_policy(&args.policy) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let from = match &args.from {
        None => None,
        Some(p) => match assessor::validate::read_case_file(p, args.max_size, true)
            .map_err(|e| e.to_string())
            .and_then(|b| assessor::validate::parse_json(&b).map_err(|e| e.to_string()))
        {
            Ok(v) => Some(v),
            Err(e) => {
                stderr_line!("error: {}: {e}", p.display());
                return PROBLEMS;
            }
        },
    };
    let input: Box<dyn BufRead> = match &args.answers {
        Some(p) => match super::stream_kind_ok(p)
            .and_then(|()| std::fs::File::open(p).map_err(|e| format!("cannot read: {e}")))
        {
            Ok(f) => Box::new(BufReader::new(f)),
            Err(e) => {
                stderr_line!("error: {}: {e}", p.display());
                return PROBLEMS;
            }
        },
        None => Box::new(BufReader::new(std::io::stdin())),
    };
    let echo = args.answers.is_some() || !std::io::stdin().is_terminal();
    let lang = Lang::from(args.lang);
    let zh = lang == Lang::Zh;
    let mut lines = LineReader::new(input, args.max_size).keep_blank();
    let mut iv = Interview::new(&policy, lang, from);
    let mut out = std::io::stdout().lock();
    // A closed or full standard output stops the questions; the answers given so far are still saved.
    let talk = converse(&mut out, &mut iv, &mut lines, &policy, lang, echo);
    let case = iv.case().clone();
    let id = case
        .get("case_id")
        .and_then(|v| v.as_str())
        .unwrap_or("interview")
        .to_string();
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(file_name_for(&id)));
    let text = match serde_json::to_string_pretty(&case) {
        Ok(t) => t + "\n",
        Err(e) => {
            stderr_line!("error: cannot write the case as JSON: {e}");
            return PROBLEMS;
        }
    };
    // The policy's files and the answers are inputs: the case must not replace them.
    let mut inputs = args
        .policy
        .rules
        .as_ref()
        .map(|d| super::output::folder_ids(d))
        .unwrap_or_default();
    inputs.extend(super::output::input_ids(args.answers.as_slice()));
    if let Err(e) = write_atomically(&target, &text, &inputs) {
        // Never lose the answers: the case goes to standard output instead.
        stderr_line!(
            "error: {e}\nthe case file could not be saved; it is printed on standard output instead, so that no \
             answer is lost"
        );
        let printed = writeln!(out, "\n{text}").and_then(|()| out.flush());
        // The case is not saved, whatever became of the printed copy.
        super::output_status(printed.map(|()| PROBLEMS));
        return PROBLEMS;
    }
    let ended = match talk {
        Ok(ended) => ended,
        Err(e) => return super::output_status(Err(e)),
    };
    let done = closing(
        &mut out,
        &iv,
        &policy,
        zh,
        ended,
        &target.display().to_string(),
    )
    .and_then(|()| out.flush().map(|()| OK));
    super::output_status(done)
}

/// Asks the questions until the last, the end of the answers or `quit`; whether it stopped before the end.
fn converse(
    out: &mut dyn Write,
    iv: &mut Interview,
    lines: &mut LineReader,
    policy: &assessor::Policy,
    lang: Lang,
    echo: bool,
) -> std::io::Result<bool> {
    let zh = lang == Lang::Zh;
    let unknown_word = if zh { "不知道" } else { "?" };
    writeln!(
        out,
        "{}",
        if zh {
            "请逐题回答。不知道请答“不知道”；输入“返回”回到上一题，“显示”查看目前的建议，“退出”保存并结束。"
        } else {
            "Answer each question. \"?\" means you do not know; \"back\" returns to the previous question, \"show\" shows the recommendation so far, \"quit\" saves and stops."
        }
    )?;
    let mut checklist = false;
    while let Some(q) = iv.next_question() {
        if q.to_confirm && !checklist {
            checklist = true;
            write!(
                out,
                "\n{}",
                match lang {
                    Lang::Zh => "作出决定前须核实（以下各项不清楚的，推定不存在该情形，并列入核实清单）：",
                    Lang::En => "To confirm before deciding (an item left unknown is presumed absent and listed to confirm):",
                }
            )?;
        }
        let h = hint(&q, lang);
        let h = if h.is_empty() {
            unknown_word.to_string()
        } else {
            format!("{h}; {unknown_word}")
        };
        write!(out, "\nQ{}. {} [{h}]\n> ", iv.asked + 1, q.text)?;
        out.flush()?;
        let answer = match lines.next_line() {
            None => return Ok(true),
            // An over-long or unreadable line: say so and ask again (a read error ends the input next time).
            Some((_, Err(why))) => {
                writeln!(out, "\n  {why}")?;
                continue;
            }
            Some((_, Ok(bytes))) => match String::from_utf8(bytes) {
                Ok(a) => a,
                Err(_) => {
                    writeln!(
                        out,
                        "\n  {}",
                        if zh {
                            "回答不是 UTF-8 文本，请重新输入"
                        } else {
                            "the answer is not UTF-8 text; answer again"
                        }
                    )?;
                    continue;
                }
            },
        };
        if echo {
            writeln!(out, "{answer}")?;
        }
        match iv.answer(&q, &answer) {
            Reply::Recorded => {}
            Reply::Invalid(why) => writeln!(out, "  {why}")?,
            Reply::Back => {
                if !iv.back() {
                    writeln!(
                        out,
                        "  {}",
                        if zh {
                            "已经是第一题。"
                        } else {
                            "This is the first question."
                        }
                    )?;
                }
            }
            Reply::Show => {
                if let Some(r) = iv.recommendation() {
                    writeln!(out)?;
                    report(out, &r, policy)?;
                    writeln!(out)?;
                }
            }
            Reply::Quit => return Ok(true),
        }
    }
    Ok(false)
}

/// The last words: where the case is saved, and the recommendation when every question was answered.
fn closing(
    out: &mut dyn Write,
    iv: &Interview,
    policy: &assessor::Policy,
    zh: bool,
    ended: bool,
    target: &str,
) -> std::io::Result<()> {
    if ended {
        return writeln!(
            out,
            "\n{} {target}",
            if zh {
                "访谈未完成，目前的案件已保存至"
            } else {
                "The interview stopped before the end; the case so far is saved in"
            },
        );
    }
    writeln!(
        out,
        "\n{} ({} {}):\n",
        if zh { "访谈完成" } else { "Done" },
        iv.asked,
        if zh { "个问题" } else { "questions" }
    )?;
    if let Some(r) = iv.recommendation() {
        report(out, &r, policy)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} {target}",
        if zh {
            "案件文件已保存至"
        } else {
            "The case file is saved in"
        },
    )
}

/// Writes the case file atomically, with the same checks on the target as `assess --out`.
fn write_atomically(
    target: &std::path::Path,
    text: &str,
    inputs: &[super::output::FileId],
) -> Result<(), String> {
    let mut file = super::output::AtomicFile::create(target, inputs)?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", target.display()))?;
    file.commit()
}

/// Longest case-id part of a file name, in characters (a Chinese character takes 3 bytes of the 255 a name may
/// have).
const MAX_NAME_CHARS: usize = 64;

/// The file name for a case id: letters, digits, `-` and `_` kept, anything else (path separators, dots, control
/// characters, spaces) made `_`, at most [`MAX_NAME_CHARS`] of them; when the id had to be changed or shortened, a
/// short digest of the whole id is added so that two ids do not share a name.
fn file_name_for(id: &str) -> String {
    use sha2::{Digest, Sha256};
    let kept: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let short: String = kept.chars().take(MAX_NAME_CHARS).collect();
    if short == id && !id.is_empty() {
        return format!("{id}.json");
    }
    let digest: String = Sha256::digest(id.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    let stem = if short.is_empty() { "case" } else { &short };
    format!("{stem}-{digest}.json")
}

/// Writes the report of the interview's recommendation (already in the interview's language).
fn report(
    out: &mut dyn Write,
    r: &assessor::Recommendation,
    policy: &assessor::Policy,
) -> std::io::Result<()> {
    assessor::report::text(out, r, policy.labels(r.language))
}

#[cfg(test)]
mod tests {
    use super::file_name_for;

    #[test]
    fn file_names_are_safe_and_bounded() {
        assert_eq!(file_name_for("HN-2022-0137"), "HN-2022-0137.json");
        assert_eq!(file_name_for("湘-2022-1"), "湘-2022-1.json");
        let odd = file_name_for("../etc/passwd\u{1b}[31m\n");
        assert!(odd.starts_with("___etc_passwd__31m_-"), "{odd}");
        assert!(!odd.contains('/') && !odd.chars().any(char::is_control));
        let long = file_name_for(&"x".repeat(300));
        assert!(long.len() <= 64 + 1 + 8 + 5, "{long}");
        assert_ne!(long, file_name_for(&"x".repeat(299)));
        assert_ne!(file_name_for("a/b"), file_name_for("a_b"));
        assert!(file_name_for("").starts_with("case-"));
    }
}
