//! Arrow arrays ⇄ stmt2 bind payloads (`stmt2.md` §5).
