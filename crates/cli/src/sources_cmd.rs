//! `cartolina sources add|list|remove|pause|resume`: the configured live sources.
//!
//! The list lives in `<archive>/sources.json` (or `--config FILE`), each source's state
//! in `sources/<id>.json` beside it. Removing a source forgets its state; what was
//! archived from it stays archived.
use std::path::{Path, PathBuf};

use sources::{SourceError, SourcesConfig};

pub fn fail(e: SourceError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// (config file, state folder) from `--config` or the archive folder.
pub fn locate(archive_dir: Option<&Path>, config: Option<&Path>) -> std::io::Result<(PathBuf, PathBuf)> {
    let cfg = match config {
        Some(c) => c.to_path_buf(),
        None => archive::Archive::resolve_dir(archive_dir).map_err(crate::scan::fail)?.join("sources.json"),
    };
    let state = cfg.parent().unwrap_or(Path::new(".")).join("sources");
    Ok((cfg, state))
}

pub enum Action {
    Add(Vec<PathBuf>),
    List { json: bool },
    Remove(String),
    Pause(String),
    Resume(String),
}

pub fn run(archive_dir: Option<&Path>, config: Option<&Path>, action: Action) -> std::io::Result<()> {
    let (cfg_path, state_dir) = locate(archive_dir, config)?;
    let mut cfg = SourcesConfig::load(&cfg_path).map_err(fail)?;
    match action {
        Action::Add(paths) => {
            for p in &paths {
                let s = cfg.add(p).map_err(fail)?;
                println!("added {}  {}  {}", s.id, s.kind.as_str(), s.path.display());
            }
            cfg.save(&cfg_path).map_err(fail)?;
        }
        Action::List { json } => {
            for s in &cfg.sources {
                let known = known_counts(&s.state_file(&state_dir));
                if json {
                    let v = serde_json::json!({
                        "id": s.id, "path": s.path, "kind": s.kind.as_str(), "paused": s.paused,
                        "available": s.path.exists(), "files": known.0, "mboxes": known.1,
                    });
                    println!("{v}");
                } else {
                    let status = if s.paused { "paused" } else if s.path.exists() { "active" } else { "missing" };
                    println!("{}  {}  {}  {} files, {} mbox  {}", s.id, s.kind.as_str(), status, known.0, known.1, s.path.display());
                }
            }
        }
        Action::Remove(id) => {
            let s = cfg.remove(&id).map_err(fail)?;
            cfg.save(&cfg_path).map_err(fail)?;
            let _ = std::fs::remove_file(s.state_file(&state_dir));
            println!("removed {}  {} (archived messages are kept)", s.id, s.path.display());
        }
        Action::Pause(id) => {
            let s = cfg.find_mut(&id).map_err(fail)?;
            s.paused = true;
            println!("paused {}", s.id);
            cfg.save(&cfg_path).map_err(fail)?;
        }
        Action::Resume(id) => {
            let s = cfg.find_mut(&id).map_err(fail)?;
            s.paused = false;
            println!("resumed {}", s.id);
            cfg.save(&cfg_path).map_err(fail)?;
        }
    }
    Ok(())
}

/// (single files, mbox files) a source's state knows; zeros when it has none yet.
fn known_counts(state: &Path) -> (usize, usize) {
    let Ok(bytes) = std::fs::read(state) else { return (0, 0) };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return (0, 0) };
    let n = |k: &str| v.get(k).and_then(|o| o.as_object()).map_or(0, |o| o.len());
    (n("files"), n("mboxes"))
}
