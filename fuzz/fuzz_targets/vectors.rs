//! libFuzzer entry point of the `vectors` target (`convert_fuzz::targets::vectors`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| convert_fuzz::targets::vectors(data));
