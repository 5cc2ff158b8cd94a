//! Tests only: the bundled demo mailbox scanned into an archive, once per test run
//! (the shell's tests check themselves against a real archive, not a hand-made one).
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The folder of an archive holding the demo (read it; copy it to change it).
pub fn archive() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo");
        let dir = std::env::temp_dir().join(format!("cartolina-app-test-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let clock = archive::Clock::system();
        let verifier = archive::Verifier::new(&[demo.join("trust/test-root.pem")], clock.now()).expect("trust");
        let mut ar = archive::Archive::open_for_writing(&dir).expect("archive");
        ar.scan(&[demo.join("mailbox")], &archive::ScanOptions::new(verifier), &mut |_| {}).expect("scan");
        dir
    })
}
