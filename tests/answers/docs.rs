//! docs/answers.md runs as written: its files are written into an empty directory, its
//! commands run there in order and must print the lines shown, in order (`…` stands for
//! lines left out), and exit 0, or 2 where a command says `# exits 2`; a YAML block under
//! `<!-- written: FILE -->` must appear in the file a command wrote.

use std::process::Command;

use crate::roundtrip::scratch;

const DOC: &str = "docs/answers.md";

struct Block {
    lang: String,
    line: usize,
    file: Option<String>,
    written: Option<String>,
    body: Vec<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let (mut file, mut written) = (None, None);
    let mut lines = text.lines().enumerate();
    while let Some((i, l)) = lines.next() {
        if let Some(rest) = l.strip_prefix("<!-- file: ") {
            file = Some(rest.trim_end_matches(" -->").trim().to_owned());
            continue;
        }
        if let Some(rest) = l.strip_prefix("<!-- written: ") {
            written = Some(rest.trim_end_matches(" -->").trim().to_owned());
            continue;
        }
        let Some(lang) = l.strip_prefix("```") else {
            continue;
        };
        let mut body = Vec::new();
        for (_, b) in lines.by_ref() {
            if b.starts_with("```") {
                break;
            }
            body.push(b.to_owned());
        }
        out.push(Block {
            lang: lang.trim().to_owned(),
            line: i + 1,
            file: file.take(),
            written: written.take(),
            body,
        });
    }
    out
}

#[test]
fn the_answers_walkthrough_runs_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(DOC)).unwrap();
    let dir = scratch("answers-doc");
    let (mut files, mut commands) = (0, 0);
    for b in blocks(&text) {
        if let Some(f) = &b.file {
            std::fs::write(dir.join(f), b.body.join("\n") + "\n").unwrap();
            files += 1;
            continue;
        }
        if let Some(f) = &b.written {
            let on_disk = std::fs::read_to_string(dir.join(f)).unwrap();
            let shown = b.body.join("\n") + "\n";
            assert!(
                on_disk.contains(&shown),
                "{DOC}:{}: {f} does not contain\n{shown}\n--- it holds:\n{on_disk}",
                b.line
            );
            continue;
        }
        if b.lang != "console" {
            continue;
        }
        let mut i = 0;
        while i < b.body.len() {
            let Some(cmd) = b.body[i].strip_prefix("$ ") else {
                i += 1;
                continue;
            };
            let (cmd, code) = match cmd.split_once("  # exits ") {
                Some((c, n)) => (c, n.trim().parse::<i32>().unwrap()),
                None => (cmd, 0),
            };
            let expected: Vec<&str> = b.body[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with("$ "))
                .map(|l| l.trim_end())
                .filter(|l| *l != "…")
                .collect();
            let mut words = cmd.split_whitespace();
            assert_eq!(words.next(), Some("labfit"), "{DOC}:{}: {cmd}", b.line);
            let o = Command::new(env!("CARGO_BIN_EXE_labfit"))
                .args(words)
                .current_dir(&dir)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let got = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert_eq!(
                o.status.code(),
                Some(code),
                "{DOC}:{}: `{cmd}` exited {:?}:\n{got}",
                b.line,
                o.status.code()
            );
            let mut lines = got.lines().map(str::trim_end);
            for want in &expected {
                assert!(
                    lines.any(|l| l == *want),
                    "{DOC}:{}: `{cmd}` did not print (in this order)\n{want}\n--- it printed:\n{got}",
                    b.line
                );
            }
            commands += 1;
            i += 1 + expected.len();
        }
    }
    assert_eq!(files, 5);
    assert!(commands >= 12, "{commands}");
}
