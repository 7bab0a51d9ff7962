#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| logstat_fuzz::extract(data));
