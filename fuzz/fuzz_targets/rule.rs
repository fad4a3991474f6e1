//! libFuzzer entry point of the `rule` target (`convert_fuzz::targets::rule`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| convert_fuzz::targets::rule(data));
