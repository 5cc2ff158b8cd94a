//! The Tauri commands of `ui/IPC.md`. Each runs its work off the main thread
//! (`spawn_blocking`) and answers `Result<T, String>` with a message for the user.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use archive::{Archive, Clock};
use serde_json::{json, Value as Json};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::glue::{self, ListCardsArgs, ListReceivedArgs};
use crate::localize;
use crate::trust;
use crate::scanner;
use crate::state::{AppState, SourceEntry};

type St<'a> = State<'a, Arc<AppState>>;

/// Largest file `verify_file` reads (a PEC message is at most ~100 MB).
const MAX_VERIFY_BYTES: u64 = 512 * 1024 * 1024;

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| e.to_string())?
}

fn clock() -> Clock {
    Clock::from_env().unwrap_or_else(|_| Clock::system())
}

/// Run `f` on the cached read-only archive; `None` when there is no archive yet.
fn with_reader<T>(st: &AppState, f: impl FnOnce(&Archive) -> Result<T, String>) -> Result<Option<T>, String> {
    let mut guard = st.reader.lock().unwrap();
    if guard.is_none() {
        match Archive::open_readonly(&st.archive_dir()) {
            Ok(a) => *guard = Some(a),
            Err(archive::Error::NoArchive(_)) => return Ok(None),
            Err(e) => return Err(e.to_string()),
        }
    }
    f(guard.as_ref().unwrap()).map(Some)
}

// ---- cards ------------------------------------------------------------------------

/// At start-up, while the window and its web view come up: open the archive and load the
/// card list, so the first `list_cards` finds them ready.
pub fn warm_up(st: &AppState) {
    // An archive written by an older version is upgraded (migrated) by its first writer;
    // a reader refuses it meanwhile. Be that writer now rather than show an error.
    if let Err(e) = with_reader(st, |_| Ok(())) {
        match Archive::open_for_writing(&st.archive_dir()) {
            Ok(a) => drop(a),
            Err(w) => eprintln!("cartolina-app: archive: {e}; upgrading it: {w}"),
        }
    }
    crate::state::timing(st.started, "warm-up: archive open");
    let _ = with_reader(st, |ar| {
        let mut guard = st.card_index.lock().unwrap();
        if guard.is_none() {
            *guard = Some(Arc::new(crate::cardindex::CardIndex::load(ar)?));
        }
        Ok(())
    });
    crate::state::timing(st.started, "warm-up: card index loaded");
}

#[tauri::command]
pub async fn list_cards(st: St<'_>, args: ListCardsArgs) -> Result<Json, String> {
    let st = st.inner().clone();
    let first = !st.first_list_logged.load(std::sync::atomic::Ordering::Relaxed);
    if first {
        crate::state::timing(st.started, "first list_cards received");
    }
    let out = blocking(move || {
        let page = with_reader(&st, |ar| glue::list_cards(&st, ar, &args, &clock()))?;
        if !st.first_list_logged.swap(true, std::sync::atomic::Ordering::Relaxed) {
            crate::state::timing(st.started, "first list_cards answered");
        }
        Ok(page.unwrap_or_else(|| json!({"total": 0, "counts": {"delivered": 0, "failed": 0, "pending": 0, "overdue": 0}, "rows": []})))
    })
    .await;
    out
}

#[tauri::command]
pub async fn get_card(st: St<'_>, id: i64) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || {
        let store = trust::store(&st);
        let mut v = with_reader(&st, |ar| glue::card_detail(&st, ar, id, &clock(), &store))?.ok_or_else(|| format!("messaggio {id} non trovato"))?;
        localize::engine_texts(&mut v, st.lang());
        Ok(v)
    })
    .await
}

#[tauri::command]
pub async fn list_received(st: St<'_>, args: ListReceivedArgs) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || Ok(with_reader(&st, |ar| glue::list_received(ar, &args))?.unwrap_or_else(|| json!({"total": 0, "rows": []})))).await
}

#[tauri::command]
pub async fn get_orphan(st: St<'_>, id: i64) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || {
        let store = trust::store(&st);
        let mut v = with_reader(&st, |ar| glue::orphan_detail(&st, ar, id, &clock(), &store))?.ok_or_else(|| format!("ricevuta {id} non trovata"))?;
        localize::engine_texts(&mut v, st.lang());
        Ok(v)
    })
    .await
}

#[tauri::command]
pub async fn list_accounts(st: St<'_>) -> Result<Vec<String>, String> {
    let st = st.inner().clone();
    blocking(move || Ok(with_reader(&st, glue::list_accounts)?.unwrap_or_default())).await
}

// ---- verifier and blobs ---------------------------------------------------------------

/// A path from the UI: absolute, an existing regular file, not too large.
fn checked_file(p: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(p);
    if !path.is_absolute() {
        return Err(format!("{p}: percorso non assoluto"));
    }
    let md = std::fs::metadata(&path).map_err(|e| format!("{p}: {e}"))?;
    if !md.is_file() {
        return Err(format!("{p}: non è un file"));
    }
    if md.len() > MAX_VERIFY_BYTES {
        return Err(format!("{p}: file troppo grande ({} byte)", md.len()));
    }
    Ok(path)
}

fn verify_paths(st: &AppState, paths: &[String]) -> Json {
    let mut out = json!({ "kind": "unknown", "files": paths, "reports": [], "daticert": null, "inconsistencies": [],
                          "content": null, "content_preview": null, "error": null });
    let files: Result<Vec<PathBuf>, String> = paths.iter().map(|p| checked_file(p)).collect();
    let files = match files {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            out["error"] = json!("nessun file");
            return out;
        }
        Err(e) => {
            out["error"] = json!(e);
            return out;
        }
    };
    let ext = |p: &Path| p.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let store = trust::store(st);
    let now = clock().now();
    let opts = verify::VerifyOptions { fallback_time: None, now: u64::try_from(now).ok() };
    let content = |st: &AppState, name: String, bytes: Vec<u8>| {
        let preview = glue::is_text(&bytes).then(|| String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]).into_owned());
        let size = bytes.len();
        let mime = glue::guess_mime(&name);
        let token = st.put_blob(name.clone(), bytes);
        (json!({ "token": token, "name": name, "size": size, "mime": mime }), preview)
    };
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    if let Some(main) = files.iter().find(|p| ext(p) == "p7m") {
        out["kind"] = json!("p7m");
        let r = read(main).and_then(|bytes| {
            let name = glue::file_name(main);
            verify::p7m::verify_p7m(&bytes, Some(&name), &store, &opts)
                .map(|d| (d.levels.iter().map(|l| serde_json::to_value(&l.signature).unwrap_or(Json::Null)).collect::<Vec<_>>(), d.file_name.clone(), d.content.into_owned()))
                .map_err(|e| format!("{name}: {e}"))
        });
        match r {
            Ok((reports, inner, bytes)) => {
                out["reports"] = json!(reports);
                let (c, preview) = content(st, inner.unwrap_or_else(|| "contenuto".into()), bytes);
                out["content"] = c;
                out["content_preview"] = json!(preview);
            }
            Err(e) => out["error"] = json!(e),
        }
        return out;
    }
    if let Some(sig) = files.iter().find(|p| ext(p) == "p7s") {
        out["kind"] = json!("p7s");
        let data = files.iter().find(|p| ext(p) != "p7s");
        let r = read(sig).and_then(|s| match data {
            Some(d) => {
                let dbytes = read(d)?;
                let rep = verify::p7m::verify_p7s(&s, &dbytes, &store, &opts).map_err(|e| e.to_string())?;
                Ok((serde_json::to_value(rep).unwrap_or(Json::Null), Some((glue::file_name(d), dbytes))))
            }
            None => {
                let rep = verify::p7m::verify_p7s(&s, &[], &store, &opts).map_err(|e| e.to_string())?;
                Ok((serde_json::to_value(rep).unwrap_or(Json::Null), None))
            }
        });
        match r {
            Ok((rep, data)) => {
                out["reports"] = json!([rep]);
                if let Some((name, bytes)) = data {
                    let (c, preview) = content(st, name, bytes);
                    out["content"] = c;
                    out["content_preview"] = json!(preview);
                }
            }
            Err(e) => out["error"] = json!(e),
        }
        return out;
    }
    let main = &files[0];
    let bytes = match read(main) {
        Ok(b) => b,
        Err(e) => {
            out["error"] = json!(e);
            return out;
        }
    };
    match pec::parse_message(&bytes) {
        Ok(msg) if ext(main) == "eml" || msg.kind.is_pec() || msg.signature.is_signed() => {
            let kind = msg.kind.as_str();
            out["kind"] = json!(match kind {
                "transport" | "anomaly" => "pec-transport",
                "plain" => "eml",
                _ => "pec-receipt",
            });
            out["reports"] = json!([glue::message_report(&msg, &store, now)]);
            out["daticert"] = msg.daticert.as_ref().map(|d| serde_json::to_value(d).unwrap_or(Json::Null)).unwrap_or(Json::Null);
            out["inconsistencies"] = serde_json::to_value(&msg.inconsistencies).unwrap_or(json!([]));
            if let Some(p) = &msg.postacert {
                let (c, _) = content(st, "postacert.eml".into(), p.to_vec());
                out["content"] = c;
            }
        }
        _ => {
            out["reports"] = json!([glue::unsigned_report("the file holds no signature Cartolina recognises")]);
        }
    }
    out
}

#[tauri::command]
pub async fn verify_file(st: St<'_>, paths: Vec<String>) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || {
        let mut v = verify_paths(&st, &paths);
        localize::engine_texts(&mut v, st.lang());
        Ok(v)
    })
    .await
}

#[tauri::command]
pub async fn save_blob(st: St<'_>, token: String, dest: String) -> Result<(), String> {
    let st = st.inner().clone();
    blocking(move || {
        let dest = PathBuf::from(&dest);
        if !dest.is_absolute() || dest.is_dir() {
            return Err(format!("{}: destinazione non valida", dest.display()));
        }
        let (_, bytes) = st.blob(&token)?;
        std::fs::write(&dest, &bytes).map_err(|e| format!("{}: {e}", dest.display()))
    })
    .await
}

/// Where `open_blob` writes the files it hands to the system viewer: private to this
/// process, removed when the app exits (`cleanup_opened`).
fn open_dir() -> PathBuf {
    std::env::temp_dir().join(format!("cartolina-{}", std::process::id()))
}

/// At exit: the files written for the system viewer go (a viewer still showing one
/// keeps its open copy).
pub fn cleanup_opened() {
    let _ = std::fs::remove_dir_all(open_dir());
}

#[tauri::command]
pub async fn open_blob(app: AppHandle, st: St<'_>, token: String) -> Result<(), String> {
    let st = st.inner().clone();
    let path = blocking(move || {
        let (name, bytes) = st.blob(&token)?;
        // Only the last component of the name: never a path from the message.
        let name = Path::new(&name).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "file".into());
        if crate::blobs::runs_code(&name) {
            return Err(format!("{name}: per sicurezza Cartolina non apre file che eseguono programmi; salvarlo e aprirlo consapevolmente"));
        }
        let dir = open_dir().join(&token);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let p = dir.join(name);
        std::fs::write(&p, &bytes).map_err(|e| e.to_string())?;
        Ok(p)
    })
    .await?;
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_path(path.display().to_string(), None::<&str>).map_err(|e| e.to_string())
}

// ---- sources ------------------------------------------------------------------------

fn kind_of(path: &Path) -> Result<&'static str, String> {
    let k = sources::detect::detect(path).map_err(|e| e.to_string())?;
    Ok(match k {
        sources::SourceKind::Maildir => "maildir",
        sources::SourceKind::Mbox | sources::SourceKind::MboxTree | sources::SourceKind::File => "mbox",
        sources::SourceKind::ThunderbirdProfile => "thunderbird",
        sources::SourceKind::EmlTree => "eml-folder",
    })
}

pub fn add_source_path(app: &AppHandle, st: &AppState, path: &Path, demo: bool) -> Result<Json, String> {
    let path = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let kind = if demo { "demo" } else { kind_of(&path)? };
    let p = path.display().to_string();
    let entry = {
        let mut s = st.sources.lock().unwrap();
        if let Some(x) = s.iter().find(|x| x.path == p) {
            return Ok(x.view());
        }
        let id = s.iter().map(|x| x.id).max().unwrap_or(0) + 1;
        let e = SourceEntry { id, path: p, kind: kind.into(), paused: false, last_scan: None, messages: 0, status: "scanning".into(), error: None };
        s.push(e.clone());
        e
    };
    st.save_sources()?;
    let _ = app.emit("sources-changed", st.sources.lock().unwrap().iter().map(|s| s.view()).collect::<Vec<_>>());
    *st.ingest.lock().unwrap() = Some(crate::state::IngestProgress { done: 0, total: 0, phase: "scanning".into(), source_id: Some(entry.id) });
    scanner::wake(st, Some(entry.id));
    Ok(entry.view())
}

#[tauri::command]
pub async fn list_sources(st: St<'_>) -> Result<Vec<Json>, String> {
    Ok(st.sources.lock().unwrap().iter().map(|s| s.view()).collect())
}

#[tauri::command]
pub async fn add_source(app: AppHandle, st: St<'_>, path: String) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || add_source_path(&app, &st, Path::new(&path), false)).await
}

/// The bundled demo: `CARTOLINA_DEMO_DIR`, else `demo/` next to the executable (or in
/// the bundle's resources), else the repository's `demo/` at build time.
fn demo_dir(app: &AppHandle) -> Option<PathBuf> {
    let mut c: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("CARTOLINA_DEMO_DIR") {
        c.push(PathBuf::from(d));
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            c.push(dir.join("demo"));
            c.push(dir.join("../share/cartolina/demo"));
            c.push(dir.join("../lib/cartolina/demo"));
        }
    }
    if let Ok(r) = app.path().resource_dir() {
        c.push(r.join("demo"));
    }
    c.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../demo"));
    c.into_iter().find(|d| d.join("mailbox").is_dir())
}

#[tauri::command]
pub async fn add_demo_source(app: AppHandle, st: St<'_>) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || {
        let demo = demo_dir(&app).ok_or("casella dimostrativa non trovata (CARTOLINA_DEMO_DIR)")?;
        // The demo's test trust anchor, so its receipts verify as trusted (once: a
        // forge corpus imported before may have brought the same root).
        if let Ok(pem) = std::fs::read(demo.join("trust/test-root.pem")) {
            trust::import_anchors(&st, &pem)?;
        }
        add_source_path(&app, &st, &demo.join("mailbox"), true)
    })
    .await
}

#[tauri::command]
pub async fn remove_source(app: AppHandle, st: St<'_>, id: i64) -> Result<(), String> {
    {
        let mut s = st.sources.lock().unwrap();
        let n = s.len();
        s.retain(|x| x.id != id);
        if s.len() == n {
            return Err("sorgente sconosciuta".into());
        }
    }
    st.save_sources()?;
    let _ = app.emit("sources-changed", st.sources.lock().unwrap().iter().map(|s| s.view()).collect::<Vec<_>>());
    Ok(())
}

#[tauri::command]
pub async fn set_source_paused(app: AppHandle, st: St<'_>, id: i64, paused: bool) -> Result<Json, String> {
    let v = {
        let mut s = st.sources.lock().unwrap();
        let x = s.iter_mut().find(|x| x.id == id).ok_or("sorgente sconosciuta")?;
        x.paused = paused;
        if x.status != "scanning" {
            x.status = if paused { "paused".into() } else { "watching".into() };
        }
        x.view()
    };
    st.save_sources()?;
    let _ = app.emit("sources-changed", st.sources.lock().unwrap().iter().map(|s| s.view()).collect::<Vec<_>>());
    if !paused {
        scanner::wake(&st, Some(id));
    }
    Ok(v)
}

#[tauri::command]
pub async fn get_ingest_status(st: St<'_>) -> Result<Json, String> {
    Ok(st.ingest.lock().unwrap().as_ref().map(|p| serde_json::to_value(p).unwrap_or(Json::Null)).unwrap_or(Json::Null))
}

// ---- trust store ----------------------------------------------------------------------

#[tauri::command]
pub async fn get_trust_store(st: St<'_>) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || Ok(trust::view(&st, clock().now().max(0) as u64))).await
}

#[tauri::command]
pub async fn import_trust(st: St<'_>, kind: String, paths: Vec<String>) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || {
        let mut files = Vec::new();
        let mut unreadable = Vec::new();
        for p in &paths {
            match checked_file(p).and_then(|path| std::fs::read(&path).map_err(|e| format!("{p}: {e}"))) {
                Ok(b) => files.push((p.clone(), b)),
                Err(e) => unreadable.push(json!(e)),
            }
        }
        let mut r = trust::import(&st, &kind, &files);
        if let Some(errors) = r["errors"].as_array_mut() {
            errors.extend(unreadable);
        }
        if r["added"].as_u64().unwrap_or(0) > 0 {
            // Receipts archived before may verify now (or, with a CRL, no longer).
            scanner::wake_reverify(&st);
        }
        Ok(r)
    })
    .await
}

#[tauri::command]
pub async fn remove_trust_anchor(st: St<'_>, id: i64) -> Result<(), String> {
    let st = st.inner().clone();
    blocking(move || {
        trust::remove_anchor(&st, id)?;
        scanner::wake_reverify(&st);
        Ok(())
    })
    .await
}

// ---- settings -----------------------------------------------------------------------

#[tauri::command]
pub async fn get_settings(st: St<'_>) -> Result<Json, String> {
    Ok(serde_json::to_value(st.settings.lock().unwrap().clone()).unwrap_or(Json::Null))
}

#[tauri::command]
pub async fn set_settings(st: St<'_>, patch: Json) -> Result<Json, String> {
    let st = st.inner().clone();
    blocking(move || {
        if let Some(l) = patch.get("language").and_then(|v| v.as_str()) {
            if l != "it" && l != "en" {
                return Err(format!("lingua non supportata: {l}"));
            }
            st.settings.lock().unwrap().language = l.into();
        }
        if let Some(n) = patch.get("notifications").and_then(|v| v.as_bool()) {
            st.settings.lock().unwrap().notifications = n;
        }
        if let Some(d) = patch.get("archive_dir").and_then(|v| v.as_str()) {
            let d = PathBuf::from(d);
            if !d.is_absolute() {
                return Err(format!("{}: percorso non assoluto", d.display()));
            }
            if d != st.archive_dir() {
                st.switch_archive(&d)?;
                scanner::wake(&st, None);
            }
        }
        st.save_settings()?;
        Ok(serde_json::to_value(st.settings.lock().unwrap().clone()).unwrap_or(Json::Null))
    })
    .await
}
