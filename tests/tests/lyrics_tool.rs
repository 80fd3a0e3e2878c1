//! `ktv lyrics check | convert | show`, as a content team runs them on a folder of files.

use std::path::{Path, PathBuf};

use ktv_tests::process::run_ktv;

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ktv-lyrics-tool-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn check_reports_errors_with_lines_and_a_summary_and_fails() {
    let dir = folder("check");
    write(
        &dir,
        "good.lrc",
        "[ti:ok]\n[00:01.00]hello\n[00:02.00]\n".as_bytes(),
    );
    let (gbk, _, _) = encoding_rs::GBK.encode("[00:01.00]好一朵美丽的茉莉花\n[00:05.00]\n");
    write(&dir, "nested/gbk.lrc", &gbk);
    write(
        &dir,
        "nested/warn.txt",
        b"#TITLE:x\n#BPM:300\n\n: 0 4 0 la\nE\n",
    );
    write(
        &dir,
        "bad.krc",
        b"[ti:x]\n[1000,500]<0,500,0>a\n[10x0,500]<0,500,0>b\n",
    );
    write(&dir, "notes.md", b"not lyrics, not picked up");

    let run = run_ktv(&["lyrics", "check", dir.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stdout
            .contains("bad.krc: error: KRC line 3: bad time stamp"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("warn.txt:3: warning: empty line skipped"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("4 files checked"), "{}", run.stdout);
    assert!(
        run.stdout.contains("3 read, 1 with errors"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("LRC                  2"),
        "{}",
        run.stdout
    );

    std::fs::remove_file(dir.join("bad.krc")).unwrap();
    let run = run_ktv(&["lyrics", "check", dir.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn convert_writes_the_chosen_format_and_refuses_read_only_ones() {
    let dir = folder("convert");
    let input = write(
        &dir,
        "tigers.yrc",
        "[2000,2000](2000,500,0)两(2500,500,0)只(3000,500,0)老(3500,500,0)虎\n".as_bytes(),
    );
    let pitch = write(
        &dir,
        "tigers.pitch",
        br#"{"pitchDatas":[{"pitch":60,"startTime":2000,"duration":500},{"pitch":62,"startTime":2500,"duration":500},{"pitch":64,"startTime":3000,"duration":500},{"pitch":60,"startTime":3500,"duration":500}]}"#,
    );
    let output = dir.join("tigers.txt").display().to_string();
    let run = run_ktv(&[
        "lyrics",
        "convert",
        &input,
        "--to",
        "ultrastar",
        &output,
        "--pitch",
        &pitch,
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let written = std::fs::read_to_string(&output).unwrap();
    // 10 ms beats from the first note: the melody becomes normal notes with UltraStar pitches.
    assert!(
        written.contains(": 0 50 0 两\n: 50 50 2 只\n: 100 50 4 老\n: 150 50 0 虎\n"),
        "{written}"
    );

    let run = run_ktv(&["lyrics", "convert", &input, "--to", "ass", &output]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("error: cannot write ASS"),
        "{}",
        run.stderr
    );
}

#[test]
fn show_prints_the_line_word_and_phase() {
    let dir = folder("show");
    let file = write(
        &dir,
        "twinkle.lrc",
        b"[00:05.000]<00:05.000>Twin<00:05.400>kle <00:05.800>star<00:07.000>\n[00:15.000]<00:15.000>how<00:16.000>\n",
    );
    let run = run_ktv(&["lyrics", "show", &file, "--at", "00:05.6"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains("phase: singing"), "{}", run.stdout);
    assert!(
        run.stdout.contains("line 1: Twin[kle] star"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("(50% sung)"), "{}", run.stdout);
    let run = run_ktv(&["lyrics", "show", &file, "--at", "13"]);
    assert!(
        run.stdout
            .contains("break, next line in 2.0 s (countdown 2.0)"),
        "{}",
        run.stdout
    );
    let run = run_ktv(&["lyrics", "show", &file, "--at", "soon"]);
    assert_eq!(run.code, Some(2), "clap refuses a bad time: {run:?}");
}
