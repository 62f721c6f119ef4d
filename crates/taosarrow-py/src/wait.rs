//! The blocking wait of every Python call: the client's one interruptible wait
//! (`taosarrow::blocking::wait_in_slices`) with the GIL released during each slice and
//! Ctrl-C checked, GIL held, between slices (about every 100 ms).
//!
//! A call may come from a thread of a tokio runtime: an Arrow C-stream pull or a progress
//! callback runs on the client's runtime while an ingest reads its input, and such code may
//! call taosarrow again. Blocking there is allowed only after the worker has handed its
//! other tasks to a new thread (`block_in_place`); on a single-threaded runtime, which cannot
//! do that, the wait runs on a thread of its own.

use std::future::Future;

use pyo3::prelude::*;
use taosarrow::blocking::wait_in_slices;
use tokio::runtime::{Handle, RuntimeFlavor};

use crate::errors::{internal, to_py_err};

/// Runs `fut` to completion as a task of `taosarrow::runtime()`, so it keeps running while
/// this thread waits for the GIL; the GIL is released while waiting. Callable from any
/// thread, a tokio worker included.
///
/// When a signal handler raises (Ctrl-C → `KeyboardInterrupt`), the task is aborted and
/// that exception is returned.
pub fn wait<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, taosarrow::Error>> + Send + 'static,
    T: Send + 'static,
{
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Err(_) => wait_here(py, fut),
        Ok(RuntimeFlavor::CurrentThread) => wait_on_own_thread(py, fut),
        Ok(_) => tokio::task::block_in_place(|| wait_here(py, fut)),
    }
}

/// [`wait`] on this thread, which is outside any runtime or may block.
fn wait_here<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, taosarrow::Error>> + Send + 'static,
    T: Send + 'static,
{
    let mut handle = taosarrow::runtime().spawn(fut);
    let joined = wait_in_slices(
        &mut handle,
        |slice| py.detach(|| slice.run()),
        || py.check_signals(),
    );
    match joined {
        Ok(Ok(result)) => result.map_err(to_py_err),
        Ok(Err(join)) => Err(internal(format!("background task failed: {join}"))),
        Err(signal) => {
            handle.abort();
            Err(signal)
        }
    }
}

/// [`wait`] on a new thread, this one waiting for it with the GIL released.
fn wait_on_own_thread<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, taosarrow::Error>> + Send + 'static,
    T: Send + 'static,
{
    py.detach(|| {
        std::thread::scope(|s| {
            s.spawn(|| Python::attach(|py| wait_here(py, fut)))
                .join()
                .unwrap_or_else(|_| Err(internal("the waiting thread panicked")))
        })
    })
}
