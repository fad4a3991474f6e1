//! libFuzzer entry point of the `protocol` target (`convert_fuzz::targets::protocol`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| convert_fuzz::targets::protocol(data));
