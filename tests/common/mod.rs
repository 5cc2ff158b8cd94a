//! Helpers shared by the end-to-end tests: locate the real binaries, run them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built binary `name`, from the same target directory and profile as this test
/// (tests run from `<target>/<profile>/deps/`). `scripts/test.sh` builds the binaries
/// before running the tests; a missing binary is a clear failure, not a skip.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let path = profile_dir.join(name);
    assert!(
        path.is_file(),
        "{} not built: run `cargo build --workspace --bins` with the same profile first (scripts/test.sh does)",
        path.display()
    );
    path
}

pub fn shared_samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/samples/real")
}

pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{:?} failed with {}\nstderr:\n{}",
        cmd,
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `cartolina inspect --json PATHS...`, parsed line by line.
pub fn inspect_json(paths: &[&Path]) -> Vec<serde_json::Value> {
    let out = run(Command::new(bin("cartolina")).arg("inspect").arg("--json").args(paths));
    String::from_utf8(out.stdout)
        .expect("utf-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Generate a forge corpus into `dir`.
pub fn forge(dir: &Path, seed: u64, messages: u64, format: &str) {
    run(Command::new(bin("cartolina-forge")).args([
        "--seed",
        &seed.to_string(),
        "--messages",
        &messages.to_string(),
        "--format",
        format,
        "--out",
    ]).arg(dir));
}
