//! Entry points for fuzz targets and property tests: untrusted input in, nothing out.

use crate::engine::{Engine, Session};

/// Runs one SQL statement against a fresh, empty in-memory engine (no current database) on
/// a current-thread runtime and discards the result. Must never panic, hang or overflow
/// the stack, whatever `text` is.
pub fn sql(text: &str) {
    sql_on(&Engine::new(), &mut Session::new(None), text);
}

/// Runs `text` against `engine` for `session` on a current-thread runtime and discards the
/// result (for targets that prepare a database and tables first).
pub fn sql_on(engine: &Engine, session: &mut Session, text: &str) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let _ = rt.block_on(engine.execute(session, text));
}
