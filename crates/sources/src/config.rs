//! The configured sources: `sources.json` in the archive folder (or a path the caller
//! gives), and beside it `sources/<id>.json`, one state file per source.
//!
//! ```json
//! { "sources": [ { "id": "maildir-3f2a", "path": "/home/u/Maildir", "kind": "maildir",
//!                  "paused": false } ] }
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detect::{self, SourceKind};
use crate::error::SourceError;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceConfig {
    pub id: String,
    /// Absolute path of the store.
    pub path: PathBuf,
    pub kind: SourceKind,
    #[serde(default)]
    pub paused: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SourcesConfig {
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
}

impl SourceConfig {
    /// A source for `path`, kind detected, id derived from its name and full path (stable:
    /// the same path always gets the same id, so its state file is found again).
    pub fn for_path(path: &Path) -> Result<SourceConfig, SourceError> {
        let abs = std::path::absolute(path).map_err(|e| SourceError::io(path, e))?;
        let kind = detect::detect(&abs)?;
        Ok(SourceConfig { id: make_id(&abs), path: abs, kind, paused: false })
    }

    /// The state file of this source inside `state_dir`.
    pub fn state_file(&self, state_dir: &Path) -> PathBuf {
        state_dir.join(format!("{}.json", self.id))
    }
}

fn make_id(abs: &Path) -> String {
    use sha2::Digest;
    let name: String = abs
        .file_name()
        .map(|n| n.to_string_lossy().chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect())
        .unwrap_or_else(|| "root".into());
    let name = name.trim_matches('-');
    let h = sha2::Sha256::digest(abs.as_os_str().as_encoded_bytes());
    format!("{}-{:02x}{:02x}", if name.is_empty() { "source" } else { name }, h[0], h[1])
}

impl SourcesConfig {
    /// The config at `path`; none yet is an empty config.
    pub fn load(path: &Path) -> Result<SourcesConfig, SourceError> {
        match std::fs::read(path) {
            Ok(t) => serde_json::from_slice(&t).map_err(|e| SourceError::Config { path: path.to_path_buf(), detail: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SourcesConfig::default()),
            Err(e) => Err(SourceError::io(path, e)),
        }
    }

    pub fn save(&self, path: &Path) -> Result<(), SourceError> {
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| SourceError::Config { path: path.to_path_buf(), detail: e.to_string() })?;
        crate::state::write_atomic(path, &bytes)
    }

    pub fn add(&mut self, path: &Path) -> Result<&SourceConfig, SourceError> {
        let cfg = SourceConfig::for_path(path)?;
        if let Some(s) = self.sources.iter().find(|s| s.path == cfg.path) {
            return Err(SourceError::Duplicate { path: cfg.path, id: s.id.clone() });
        }
        self.sources.push(cfg);
        Ok(&self.sources[self.sources.len() - 1])
    }

    /// By id, or by path as given.
    pub fn find_mut(&mut self, id_or_path: &str) -> Result<&mut SourceConfig, SourceError> {
        let abs = std::path::absolute(id_or_path).ok();
        self.sources
            .iter_mut()
            .find(|s| s.id == id_or_path || Some(&s.path) == abs.as_ref())
            .ok_or_else(|| SourceError::UnknownSource(id_or_path.to_string()))
    }

    pub fn remove(&mut self, id_or_path: &str) -> Result<SourceConfig, SourceError> {
        let id = self.find_mut(id_or_path)?.id.clone();
        let i = self.sources.iter().position(|s| s.id == id).ok_or(SourceError::UnknownSource(id))?;
        Ok(self.sources.remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_list_pause_remove() {
        let d = tempfile::tempdir().unwrap();
        let md = d.path().join("Maildir");
        std::fs::create_dir_all(md.join("cur")).unwrap();
        std::fs::create_dir_all(md.join("new")).unwrap();
        let cfg_path = d.path().join("archive/sources.json");
        let mut c = SourcesConfig::load(&cfg_path).unwrap();
        let id = c.add(&md).unwrap().id.clone();
        assert!(id.starts_with("maildir-"));
        assert!(matches!(c.add(&md), Err(SourceError::Duplicate { .. })));
        c.find_mut(&id).unwrap().paused = true;
        c.save(&cfg_path).unwrap();
        let mut c = SourcesConfig::load(&cfg_path).unwrap();
        assert_eq!(c.sources.len(), 1);
        assert_eq!(c.sources[0].kind, SourceKind::Maildir);
        assert!(c.sources[0].paused);
        assert_eq!(c.remove(md.to_str().unwrap()).unwrap().id, id);
        assert!(matches!(c.remove("nope"), Err(SourceError::UnknownSource(_))));
    }
}
