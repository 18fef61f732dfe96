// The built-in policies are embedded with `include_dir!`, which cannot tell
// cargo about the files it reads on stable Rust; this makes any change under
// policies/ rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=policies");
}
