//! `cargo xtask`: the project's automation (placeholder until the spine lands).

fn main() {
    eprintln!("cargo xtask: not implemented yet");
    std::process::exit(2);
}
