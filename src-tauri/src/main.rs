fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the terminal window could not start");
}
