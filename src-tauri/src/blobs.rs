//! The bytes behind `BlobRef` tokens (`save_blob`, `open_blob`): an attachment, the
//! content extracted from a signed file, a message of the archive saved as `.eml`.
//!
//! Opening a card makes tokens for its attachments and messages; a session that opens
//! thousands of cards must not keep them all. Bytes held in memory are capped (the
//! oldest tokens go first; a stale token answers "riaprire il messaggio"); a message of
//! the archive is held as its content address only and read back when saved.
use std::collections::{HashMap, VecDeque};

/// Most bytes held in memory for tokens.
const MAX_HELD_BYTES: usize = 256 * 1024 * 1024;

pub enum Data {
    Bytes(Vec<u8>),
    /// A message in the archive's blob store, by SHA-256.
    Archived(String),
}

pub struct Blob {
    pub name: String,
    pub data: Data,
}

#[derive(Default)]
pub struct Blobs {
    map: HashMap<String, Blob>,
    order: VecDeque<String>,
    held: usize,
    next: u64,
}

impl Blobs {
    fn insert(&mut self, salt: u128, blob: Blob) -> String {
        self.next += 1;
        // Unguessable enough for a token that never leaves the window.
        let token = format!("b{}-{:x}", self.next, salt & 0xffff_ffff);
        if let Data::Bytes(b) = &blob.data {
            self.held += b.len();
        }
        self.map.insert(token.clone(), blob);
        self.order.push_back(token.clone());
        while self.held > MAX_HELD_BYTES && self.order.len() > 1 {
            let Some(old) = self.order.pop_front() else { break };
            if let Some(Blob { data: Data::Bytes(b), .. }) = self.map.remove(&old) {
                self.held -= b.len();
            }
        }
        token
    }

    pub fn put(&mut self, salt: u128, name: String, bytes: Vec<u8>) -> String {
        self.insert(salt, Blob { name, data: Data::Bytes(bytes) })
    }

    pub fn put_archived(&mut self, salt: u128, name: String, sha256: String) -> String {
        self.insert(salt, Blob { name, data: Data::Archived(sha256) })
    }

    pub fn get(&self, token: &str) -> Option<&Blob> {
        self.map.get(token)
    }
}

/// File types that run code when "opened" (launchers, scripts, installers): Cartolina
/// saves them, but does not hand them to the system to open.
pub fn runs_code(name: &str) -> bool {
    const EXT: &[&str] = &[
        "desktop", "sh", "bash", "zsh", "csh", "run", "bin", "appimage", "exe", "com", "bat", "cmd", "msi", "scr", "pif", "lnk", "jar", "py", "pl",
        "rb", "js", "jse", "vbs", "vbe", "wsf", "ps1", "deb", "rpm", "apk", "hta", "reg", "elf", "so", "dll",
    ];
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    EXT.contains(&ext.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_held_are_capped_oldest_first() {
        let mut b = Blobs::default();
        let first = b.put(1, "a".into(), vec![0; MAX_HELD_BYTES / 2]);
        let second = b.put(2, "b".into(), vec![0; MAX_HELD_BYTES / 2]);
        let archived = b.put_archived(3, "c.eml".into(), "ab".repeat(32));
        assert!(b.get(&first).is_some() && b.get(&second).is_some() && b.get(&archived).is_some());
        let third = b.put(4, "d".into(), vec![0; 10]);
        assert!(b.get(&first).is_none(), "the oldest bytes go");
        assert!(b.get(&second).is_some() && b.get(&third).is_some() && b.get(&archived).is_some());
        assert!(b.held <= MAX_HELD_BYTES);
        // A single blob over the cap is still served.
        let big = b.put(5, "e".into(), vec![0; MAX_HELD_BYTES + 1]);
        assert!(b.get(&big).is_some());
    }

    #[test]
    fn launchers_and_scripts_are_not_opened() {
        for n in ["x.desktop", "Fattura.PDF.exe", "setup.SH", "a.js", "b.AppImage"] {
            assert!(runs_code(n), "{n}");
        }
        for n in ["fattura.pdf", "postacert.eml", "daticert.xml", "foto.jpg", "noext"] {
            assert!(!runs_code(n), "{n}");
        }
    }
}
