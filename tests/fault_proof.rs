//! Inputs that used to take the process down or hang it, through the binary:
//! lines without an end, Ctrl-C at every stage of reading, files truncated
//! while read, gzip with padding, more inputs than open files allowed.

use std::io::Write;
use std::path::PathBuf;

use serde_json::Value;

const LINE: &str =
    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 12 \"-\" \"ua\"\n";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("logstat")
}

fn logstat() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin());
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).expect("JSON report")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

// gzip as gzip -d reads it

/// Zero padding after the last member (a tape block, a preallocated file) is
/// read as `gzip -d` reads it: ignored. Anything else after it is an error
/// that names the input, after what came before it was counted.
#[test]
fn gzip_trailing_zeros_are_padding_and_other_trailing_bytes_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let member = gzip(LINE.repeat(3).as_bytes());
    let cases: [(&str, Vec<u8>, bool); 4] = [
        ("zeros", vec![0; 1024], true),
        (
            "zeros-after-two-members",
            [member.clone(), vec![0; 10]].concat(),
            true,
        ),
        ("garbage", b"garbage".to_vec(), false),
        (
            "zeros-then-garbage",
            [vec![0; 600], b"x".to_vec()].concat(),
            false,
        ),
    ];
    for (name, tail, ok) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, [member.clone(), tail].concat()).unwrap();
        let want = if name.contains("two") { 6 } else { 3 };
        for stdin in [false, true] {
            let mut cmd = logstat();
            cmd.args(["-o", "json"]);
            if stdin {
                cmd.arg("-").pipe_stdin(&path).unwrap();
            } else {
                cmd.arg(&path);
            }
            let out = cmd.assert().code(if ok { 0 } else { 2 });
            let out = out.get_output();
            assert_eq!(json(&out.stdout)["requests"], want, "{name}");
            let err = String::from_utf8_lossy(&out.stderr);
            if ok {
                assert!(err.is_empty(), "{name}: {err}");
            } else {
                assert!(err.contains("trailing garbage"), "{name}: {err}");
            }
        }
    }
}
