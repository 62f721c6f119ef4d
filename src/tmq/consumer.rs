//! The async [`Consumer`]: subscribe, poll, commit and the offset calls.

use std::time::Duration;

use futures_util::Stream;

use super::{Assignment, ConsumerOptions, Message};
use crate::socket::Socket;
use crate::transport::{connect_to, Endpoint};
use crate::Error;

/// A TMQ consumer: one WebSocket on `/rest/tmq`, one consumer of a group.
pub struct Consumer {
    opts: ConsumerOptions,
    topics: std::sync::Mutex<Vec<String>>,
    socket: Socket,
    addr: String,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("addr", &self.addr)
            .field("options", &self.opts)
            .finish()
    }
}

fn unavailable() -> Error {
    Error::Interface("the TMQ consumer is not available in this build yet".into())
}

impl Consumer {
    /// A builder: [`ConsumerOptions::new`].
    pub fn builder() -> ConsumerOptions {
        ConsumerOptions::new()
    }

    /// Connects to `/rest/tmq` (failover, retries, `connect_timeout`) and checks the
    /// server's version.
    pub async fn connect(opts: &ConsumerOptions) -> Result<Consumer, Error> {
        opts.conn.validate()?;
        let (ws, addr) = connect_to(&opts.conn, Endpoint::Tmq).await?;
        Ok(Consumer {
            opts: opts.clone(),
            topics: std::sync::Mutex::new(Vec::new()),
            socket: Socket::start(ws, opts.conn.read_timeout),
            addr,
        })
    }

    /// The address (`host:port`) in use.
    pub fn address(&self) -> &str {
        &self.addr
    }

    /// The options it was opened with.
    pub fn options(&self) -> &ConsumerOptions {
        &self.opts
    }

    /// Subscribes to `topics` (sending every consumer option as strings).
    pub async fn subscribe(&self, topics: &[impl AsRef<str>]) -> Result<(), Error> {
        let _ = topics;
        Err(unavailable())
    }

    /// Polls for one message, waiting at most `timeout`; `None` when nothing arrived.
    pub async fn poll(&self, timeout: Duration) -> Result<Option<Message>, Error> {
        let _ = timeout;
        Err(unavailable())
    }

    /// Commits every current position (everything polled so far, `message` included).
    pub async fn commit(&self, message: &Message) -> Result<(), Error> {
        let _ = message;
        Err(unavailable())
    }

    /// Commits every current position.
    pub async fn commit_all(&self) -> Result<(), Error> {
        Err(unavailable())
    }

    /// Stores `offset` as the group's committed offset of `(topic, vgroup_id)`.
    pub async fn commit_offset(
        &self,
        topic: &str,
        vgroup_id: i32,
        offset: i64,
    ) -> Result<(), Error> {
        let _ = (topic, vgroup_id, offset);
        Err(unavailable())
    }

    /// The committed offset of `(topic, vgroup_id)`; `None` when nothing is committed.
    pub async fn committed(&self, topic: &str, vgroup_id: i32) -> Result<Option<i64>, Error> {
        let _ = (topic, vgroup_id);
        Err(unavailable())
    }

    /// The offset the next poll of `(topic, vgroup_id)` reads.
    pub async fn position(&self, topic: &str, vgroup_id: i32) -> Result<i64, Error> {
        let _ = (topic, vgroup_id);
        Err(unavailable())
    }

    /// Makes the next poll of `(topic, vgroup_id)` start at `offset`.
    pub async fn seek(&self, topic: &str, vgroup_id: i32, offset: i64) -> Result<(), Error> {
        let _ = (topic, vgroup_id, offset);
        Err(unavailable())
    }

    /// The vgroups of `topic` assigned to this consumer.
    pub async fn assignment(&self, topic: &str) -> Result<Vec<Assignment>, Error> {
        let _ = topic;
        Err(unavailable())
    }

    /// [`assignment`](Self::assignment) of every subscribed topic.
    pub async fn assignments(&self) -> Result<Vec<(String, Vec<Assignment>)>, Error> {
        Err(unavailable())
    }

    /// The subscribed topics.
    pub fn list_topics(&self) -> Vec<String> {
        self.topics
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Leaves the group; [`subscribe`](Self::subscribe) may follow.
    pub async fn unsubscribe(&self) -> Result<(), Error> {
        Err(unavailable())
    }

    /// Closes the socket (the server unsubscribes).
    pub async fn close(self) -> Result<(), Error> {
        self.socket.close();
        Ok(())
    }

    /// The messages, each poll waiting at most `timeout`; ends after the first error.
    pub fn stream(&self, timeout: Duration) -> impl Stream<Item = Result<Message, Error>> + '_ {
        futures_util::stream::unfold(false, move |done| async move {
            if done {
                return None;
            }
            loop {
                match self.poll(timeout).await {
                    Ok(Some(m)) => return Some((Ok(m), false)),
                    Ok(None) => continue,
                    Err(e) => return Some((Err(e), true)),
                }
            }
        })
    }
}
