//! The shell's state: settings, the configured sources, blob tokens, the scan under way.
//! Persisted in the archive folder: `settings.json`, `app-sources.json`, `trust/`.
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub language: String,
    pub archive_dir: String,
    pub notifications: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceEntry {
    pub id: i64,
    pub path: String,
    /// maildir | mbox | eml-folder | thunderbird | demo
    pub kind: String,
    pub paused: bool,
    #[serde(default)]
    pub last_scan: Option<String>,
    #[serde(default)]
    pub messages: u64,
    /// Not persisted meaningfully: scanning | watching | paused | error.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub error: Option<String>,
}

impl SourceEntry {
    pub fn view(&self) -> serde_json::Value {
        let status = if self.paused && self.status != "scanning" { "paused" } else if self.status.is_empty() { "watching" } else { self.status.as_str() };
        serde_json::json!({
            "id": self.id, "path": self.path, "kind": self.kind, "status": status,
            "messages": self.messages, "last_scan": self.last_scan, "error": self.error,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct IngestProgress {
    pub done: u64,
    pub total: u64,
    pub phase: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<i64>,
}

pub struct AppState {
    pub started: Instant,
    pub first_list_logged: std::sync::atomic::AtomicBool,
    pub settings: Mutex<Settings>,
    pub sources: Mutex<Vec<SourceEntry>>,
    pub blobs: Mutex<crate::blobs::Blobs>,
    pub ingest: Mutex<Option<IngestProgress>>,
    /// A read-only connection, reopened when the archive appears or moves.
    pub reader: Mutex<Option<archive::Archive>>,
    /// The card list in memory (`list_cards`), dropped when the archive changes.
    pub card_index: Mutex<Option<std::sync::Arc<crate::cardindex::CardIndex>>>,
    /// The trust store for verifying (`trust::store`), dropped when the trust folder
    /// changes.
    pub trust: Mutex<Option<std::sync::Arc<verify::TrustStore>>>,
    /// Wakes the scanner (`scanner::wake`).
    pub scan_tx: Mutex<Option<std::sync::mpsc::Sender<crate::scanner::Wake>>>,
}

/// With `CARTOLINA_APP_TIMING`: a start-up step reached, in ms since `main` and as a
/// Unix time (the app benchmark lines it up with the process start and the UI's marks).
pub fn timing(started: Instant, step: &str) {
    if std::env::var_os("CARTOLINA_APP_TIMING").is_some() {
        let epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
        eprintln!("cartolina-app: {step} {} ms after main (epoch {epoch})", started.elapsed().as_millis());
    }
}

/// Where the archive folder is remembered between runs (the settings live inside it).
fn pointer_file() -> Option<PathBuf> {
    std::env::var_os("CARTOLINA_APP_CONFIG")
        .map(PathBuf::from)
        .or_else(|| directories::ProjectDirs::from("it", "Cartolina", "cartolina").map(|p| p.config_dir().join("app.json")))
}

pub fn default_archive_dir() -> PathBuf {
    if let Some(p) = pointer_file().and_then(|f| std::fs::read(f).ok()) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&p) {
            if let Some(d) = v.get("archive_dir").and_then(|d| d.as_str()) {
                // CARTOLINA_ARCHIVE still wins (tests, several archives).
                if std::env::var_os("CARTOLINA_ARCHIVE").is_none() {
                    return PathBuf::from(d);
                }
            }
        }
    }
    archive::Archive::resolve_dir(None).unwrap_or_else(|_| std::env::temp_dir().join("cartolina"))
}

pub fn remember_archive_dir(dir: &Path) {
    if let Some(f) = pointer_file() {
        if let Some(parent) = f.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(f, serde_json::json!({ "archive_dir": dir }).to_string());
    }
}

pub fn write_json(path: &Path, v: &impl Serialize) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_vec_pretty(v).map_err(|e| e.to_string())?;
    std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
}

impl AppState {
    pub fn load(started: Instant) -> AppState {
        Self::at(&default_archive_dir(), started)
    }

    /// The state of the archive folder `dir` (its settings and sources).
    pub fn at(dir: &Path, started: Instant) -> AppState {
        let dir = dir.to_path_buf();
        let settings = Self::read_settings(&dir);
        let sources = Self::read_sources(&dir);
        AppState {
            started,
            first_list_logged: Default::default(),
            settings: Mutex::new(settings),
            sources: Mutex::new(sources),
            blobs: Mutex::new(Default::default()),
            ingest: Mutex::new(None),
            reader: Mutex::new(None),
            card_index: Mutex::new(None),
            trust: Mutex::new(None),
            scan_tx: Mutex::new(None),
        }
    }

    fn read_settings(dir: &Path) -> Settings {
        let mut s = std::fs::read(dir.join("settings.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Settings>(&b).ok())
            .unwrap_or(Settings { language: "it".into(), archive_dir: String::new(), notifications: true });
        s.archive_dir = dir.display().to_string();
        s
    }

    fn read_sources(dir: &Path) -> Vec<SourceEntry> {
        let mut v: Vec<SourceEntry> =
            std::fs::read(dir.join("app-sources.json")).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        for s in &mut v {
            s.status = if s.paused { "paused".into() } else { "watching".into() };
        }
        v
    }

    pub fn archive_dir(&self) -> PathBuf {
        PathBuf::from(&self.settings.lock().unwrap().archive_dir)
    }

    pub fn save_settings(&self) -> Result<(), String> {
        let s = self.settings.lock().unwrap().clone();
        write_json(&Path::new(&s.archive_dir).join("settings.json"), &s)
    }

    pub fn save_sources(&self) -> Result<(), String> {
        let v = self.sources.lock().unwrap().clone();
        write_json(&self.archive_dir().join("app-sources.json"), &v)
    }

    /// Switch to another archive folder (settings and sources are read from there).
    pub fn switch_archive(&self, dir: &Path) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let old = self.settings.lock().unwrap().clone();
        let mut s = Self::read_settings(dir);
        if !dir.join("settings.json").exists() {
            s.language = old.language;
            s.notifications = old.notifications;
        }
        *self.settings.lock().unwrap() = s;
        *self.sources.lock().unwrap() = Self::read_sources(dir);
        *self.trust.lock().unwrap() = None;
        self.archive_changed(true);
        remember_archive_dir(dir);
        self.save_settings()
    }

    /// The archive changed (a scan wrote to it): the in-memory card list is rebuilt on
    /// the next `list_cards`; `reopen` also drops the reader (a new or moved database).
    pub fn archive_changed(&self, reopen: bool) {
        *self.card_index.lock().unwrap() = None;
        if reopen {
            *self.reader.lock().unwrap() = None;
        }
    }

    pub fn language(&self) -> String {
        self.settings.lock().unwrap().language.clone()
    }

    /// The user's language, for the engine's English texts (`localize`).
    pub fn lang(&self) -> lang::Lang {
        lang::Lang::from_code(&self.settings.lock().unwrap().language)
    }

    pub fn put_blob(&self, name: String, bytes: Vec<u8>) -> String {
        self.blobs.lock().unwrap().put(self.started.elapsed().as_nanos(), name, bytes)
    }

    /// A token for a message of the archive (read back from its blob store when saved).
    pub fn put_archived_blob(&self, name: String, sha256: String) -> String {
        self.blobs.lock().unwrap().put_archived(self.started.elapsed().as_nanos(), name, sha256)
    }

    /// The name and bytes behind a token.
    pub fn blob(&self, token: &str) -> Result<(String, Vec<u8>), String> {
        let (name, data) = {
            let blobs = self.blobs.lock().unwrap();
            let b = blobs.get(token).ok_or("contenuto non più disponibile: riaprire il messaggio")?;
            let data = match &b.data {
                crate::blobs::Data::Bytes(v) => Ok(v.clone()),
                crate::blobs::Data::Archived(sha) => Err(sha.clone()),
            };
            (b.name.clone(), data)
        };
        let bytes = match data {
            Ok(v) => v,
            Err(sha) => archive::store::BlobStore::at(self.archive_dir().join("blobs")).read(&sha).map_err(|e| e.to_string())?,
        };
        Ok((name, bytes))
    }

    /// User trust anchors (certificates), CRLs and TSLs imported into the archive folder.
    pub fn trust_dir(&self) -> PathBuf {
        self.archive_dir().join("trust")
    }
}
