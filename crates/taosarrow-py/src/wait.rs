//! The blocking wait of every Python call: the client's one interruptible wait
//! (`taosarrow::blocking::wait_in_slices`) with the GIL released during each slice and
//! Ctrl-C checked, GIL held, between slices (about every 100 ms).

use std::future::Future;

use pyo3::prelude::*;
use taosarrow::blocking::wait_in_slices;

use crate::errors::{internal, to_py_err};

/// Runs `fut` to completion as a task of `taosarrow::runtime()`, so it keeps running while
/// this thread waits for the GIL; the GIL is released while waiting.
///
/// When a signal handler raises (Ctrl-C → `KeyboardInterrupt`), the task is aborted and
/// that exception is returned.
pub fn wait<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
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
