//! libFuzzer entry point of the `config` target (`convert_fuzz::targets::config`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| convert_fuzz::targets::config(data));
