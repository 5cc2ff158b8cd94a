//! The app's config is the repository's top-level `tauri.conf.json` (paths in it are
//! relative to it); `generate_context!("../tauri.conf.json")` embeds `ui/dist`.
fn main() {
    let root = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join("..");
    let index = root.join("ui/dist/index.html");
    println!("cargo:rerun-if-changed={}", index.display());
    if !index.exists() {
        eprintln!("error: {} is missing: run `npm ci && npm run build` in ui/ first", index.display());
        std::process::exit(1);
    }
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json")).expect("tauri-build (../tauri.conf.json)");
}
