//! Cartolina desktop app: a thin Tauri 2 shell over the engine crates.
//!
//! `cartolina-app [PATH...]`: opens the window; each PATH is added as a source.
//! Commands and events are exactly those of `ui/IPC.md`; the glue that the engine crates
//! do not offer (paged card lists with counts, the received list, detail assembly,
//! settings and the source list of the app) is in [`glue`]; the background scanner
//! (ingest, periodic re-scan, events, notifications) is in [`scanner`].
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod blobs;
mod cardindex;
mod commands;
mod glue;
mod localize;
mod notices;
mod scanner;
mod state;
#[cfg(test)]
mod testdemo;
mod trust;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::Manager;

/// WebKitGTK draws the page with accelerated compositing (OpenGL). Without a GPU (no DRM
/// render node: a virtual machine, a remote desktop, Xvfb) that OpenGL is Mesa's software
/// renderer, and compositing only costs: measured on the app benchmark under Xvfb (2,000
/// cards, load average 5.5), the web process set up OpenGL before its first frame and the
/// window came up in 1.2–2.8 s (median 2.0 s) with a 310 MB web process; drawn directly,
/// in 0.6–1.2 s (median 1.0 s) with 190 MB. So without a render node the page is drawn
/// directly; with one, WebKit's default stays. `WEBKIT_DISABLE_COMPOSITING_MODE` set
/// either way, or `CARTOLINA_COMPOSITING=1`, decides instead.
fn prefer_direct_drawing() {
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some() || std::env::var_os("CARTOLINA_COMPOSITING").is_some() {
        return;
    }
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|d| d.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")));
    if !gpu {
        // Before any thread or GTK exists: nothing else reads the environment yet.
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
}

fn main() {
    let started = std::time::Instant::now();
    prefer_direct_drawing();
    state::timing(started, "main");
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .on_page_load(move |_, p| state::timing(started, &format!("page load {:?}", p.event())))
        .setup(move |app| {
            state::timing(started, "setup");
            // End-to-end tests only: let the test driver emit the window's native
            // file-drop event (a real drop cannot be made under WebDriver).
            if std::env::var_os("CARTOLINA_E2E").is_some() {
                app.add_capability(
                    r#"{"identifier":"e2e-drop","windows":["main"],"permissions":["core:event:allow-emit-to","core:event:allow-emit"]}"#,
                )?;
            }
            let st = Arc::new(state::AppState::load(started));
            app.manage(st.clone());
            let warm = st.clone();
            std::thread::Builder::new().name("cartolina-warm-up".into()).spawn(move || commands::warm_up(&warm))?;
            scanner::start(app.handle().clone(), st.clone());
            for p in &args {
                if let Err(e) = commands::add_source_path(app.handle(), &st, p, false) {
                    eprintln!("cartolina-app: {}: {e}", p.display());
                }
            }
            state::timing(started, "setup done");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_cards,
            commands::get_card,
            commands::list_received,
            commands::get_orphan,
            commands::list_accounts,
            commands::verify_file,
            commands::save_blob,
            commands::open_blob,
            commands::list_sources,
            commands::add_source,
            commands::add_demo_source,
            commands::remove_source,
            commands::set_source_paused,
            commands::get_ingest_status,
            commands::get_trust_store,
            commands::import_trust,
            commands::remove_trust_anchor,
            commands::get_settings,
            commands::set_settings,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap_or_else(|e| {
            eprintln!("cartolina-app: cannot start: {e}");
            std::process::exit(1)
        })
        .run(|_, ev| {
            if let tauri::RunEvent::Exit = ev {
                commands::cleanup_opened();
            }
        });
}
