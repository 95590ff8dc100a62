//! Giving freed memory back to the system after a large message.
//!
//! A 10 MB `didOpen` passes through several short-lived copies (the frame,
//! tower-lsp-server's `Value`, the params) that are freed once the rope
//! holds the text. glibc keeps freed heap memory for reuse, so without a
//! trim the server would stay at that peak for as long as it runs.

/// Messages above this size are followed by a trim.
pub const LARGE: usize = 1 << 20;

pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: `malloc_trim` takes no pointers; it only returns free
        // pages to the system, and glibc's allocator is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}
