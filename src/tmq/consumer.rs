//! The async [`Consumer`]: subscribe, poll, commit and the offset calls.
//!
//! Every call is one JSON request on the `/rest/tmq` socket, matched to its reply by
//! `req_id` (`tmq.md` §1). A poll holds the consumer's poll slot until the message is fully
//! fetched: the server keeps one message per connection, so polls never overlap and a
//! message's rows are read before the next poll frees it (§2).
//!
//! A dropped socket is replaced: the next call (or the poll that was in flight) connects
//! again with the same options, sends `version`, subscribes again to the same topics with
//! the same options, and goes on; the group's committed offsets make the new consumer resume
//! after the last commit (§5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::Stream;
use serde::de::DeserializeOwned;
use taosarrow_codec::tmq::decode_data_rsp;
use taosarrow_codec::SchemaOptions;
use taosarrow_protocol::frames::{FetchRawDataBody, FetchRawDataFrame};
use taosarrow_protocol::messages::{
    from_json, peek_header, ReqIdArgs, TmqAssignmentRequest, TmqAssignmentResponse,
    TmqCommitOffsetRequest, TmqCommitOffsetResponse, TmqCommitResponse, TmqCommittedResponse,
    TmqFetchJsonMetaResponse, TmqListTopicsResponse, TmqMessageRequest, TmqPollRequest,
    TmqPollResponse, TmqPositionResponse, TmqRequest, TmqSeekRequest, TmqSeekResponse,
    TmqSubscribeRequest, TmqSubscribeResponse, TmqTopicVgroup, TmqTopicVgroupsRequest,
    TmqUnsubscribeResponse,
};
use taosarrow_protocol::{Code, Precision};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::{Assignment, ConsumerOptions, Message, MessageKind, TmqBlock, TMQ_NO_COMMITTED};
use crate::socket::{check_header, Reply, Socket};
use crate::transport::{connect_to, Endpoint, CONNECTOR};
use crate::Error;

/// The code an old server answers a `subscribe` with when it does not know an option; the
/// subscription is then tried again without `enable_batch_meta` (`tmq.md` §3.2).
const UNKNOWN_CONFIG: Code = Code(0xFFFE);

/// Why a message polled on a replaced socket cannot be committed.
const REPLACED: &str = "the connection was re-established since the message was polled; \
                        it was not committed and is delivered again";

/// The poll slot: held by the poll in flight.
#[derive(Debug)]
struct PollState {
    /// The id of the last message fully received (0 before the first): sent with every
    /// poll, so that a message whose poll reply or fetch was lost is delivered again.
    last_message_id: u64,
    /// The socket generation `last_message_id` belongs to: message ids of a replaced socket
    /// mean nothing to the new one.
    generation: u64,
    /// When the client last auto-committed (or subscribed).
    last_commit: Instant,
    /// Whether a message was delivered since the last auto-commit.
    uncommitted: bool,
}

/// A TMQ consumer: one WebSocket on `/rest/tmq`, one consumer of a group.
///
/// ```no_run
/// # async fn demo() -> Result<(), taosarrow::Error> {
/// use std::time::Duration;
/// use taosarrow::tmq::{Consumer, ConsumerOptions};
/// let opts = ConsumerOptions::from_dsn(
///     "ws://root:taosdata@localhost:6041?group.id=g1&auto.offset.reset=earliest",
/// )?;
/// let consumer = Consumer::connect(&opts).await?;
/// consumer.subscribe(&["topic_meters"]).await?;
/// while let Some(message) = consumer.poll(Duration::from_secs(1)).await? {
///     for block in message.blocks() {
///         println!("{:?}: {} rows", block.table_name(), block.batch().num_rows());
///     }
///     consumer.commit(&message).await?;
/// }
/// consumer.close().await?;
/// # Ok(()) }
/// ```
///
/// When the socket drops (server restart, a proxy's idle timeout), the next call reconnects
/// (addresses in failover order, `conn_retries` retries each), sends `version` and, when
/// subscribed, subscribes again to the same topics with the same options; nothing else is
/// restored (a `seek` is not repeated). The new consumer of the group resumes from the
/// group's committed offsets. A poll cut off by the drop is issued again on the new socket,
/// so no message is skipped; messages after the last commit may come again (at-least-once).
/// Other calls cut off by the drop fail with a connection error (a commit may or may not
/// have been applied); a call whose frame was never written is sent on the new socket.
/// `reconnect=false` turns this off.
pub struct Consumer {
    opts: ConsumerOptions,
    subscription: std::sync::Mutex<Subscription>,
    poll_slot: tokio::sync::Mutex<PollState>,
    current: std::sync::Mutex<Current>,
    /// Held while a lost socket is replaced, so concurrent calls reconnect once.
    reconnecting: tokio::sync::Mutex<()>,
    /// Set by [`close`](Consumer::close): a lost socket is not replaced any more.
    closed: std::sync::atomic::AtomicBool,
}

/// What a reconnect subscribes again.
#[derive(Debug, Clone, Default)]
struct Subscription {
    /// The subscribed topics (empty when not subscribed).
    topics: Vec<String>,
    /// Whether the server took `enable_batch_meta`.
    batch_meta: bool,
}

/// The socket in use, its address, and how many sockets it replaced.
struct Current {
    socket: Arc<Socket>,
    addr: String,
    generation: u64,
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether `e` says the socket was lost (closed, or never reached by the frame because it was).
fn is_connection_loss(e: &Error) -> bool {
    match e {
        Error::Closed { .. } => true,
        Error::NotSent { source } => matches!(**source, Error::Closed { .. }),
        _ => false,
    }
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("addr", &lock(&self.current).addr)
            .field("options", &self.opts)
            .finish()
    }
}

fn text(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

fn millis(d: Duration) -> String {
    d.as_millis().to_string()
}

/// The `subscribe` arguments for `topics`: every option as a string, `auto.offset.reset`
/// under both spellings, auto-commit off on the server (the client does it), the extra
/// `config` pairs last. `batch_meta` false leaves `enable_batch_meta` out.
pub(crate) fn subscribe_request(
    opts: &ConsumerOptions,
    topics: &[String],
    req_id: u64,
    batch_meta: bool,
) -> TmqSubscribeRequest {
    let conn = &opts.conn;
    let reset = opts.offset_reset.map(|r| r.name().to_owned());
    let mut config = opts.config.clone();
    if let Some(token) = &conn.token {
        config
            .entry("td.connect.token".to_owned())
            .or_insert_with(|| token.clone());
    }
    TmqSubscribeRequest {
        req_id,
        user: conn.user.clone(),
        password: conn.password.clone(),
        db: conn.database.clone(),
        group_id: opts.group_id.clone(),
        client_id: opts.client_id.clone(),
        offset_reset: reset.clone(),
        offset_rest: reset,
        snapshot_enable: Some(text(opts.snapshot_enable)),
        with_table_name: Some(text(opts.with_table_name)),
        auto_commit: Some(text(false)),
        auto_commit_interval_ms: Some(millis(opts.auto_commit_interval)),
        enable_batch_meta: batch_meta
            .then(|| if opts.enable_batch_meta { "1" } else { "0" }.into()),
        msg_consume_excluded: opts.msg_consume_excluded.clone(),
        msg_consume_rawdata: opts.msg_consume_rawdata.clone(),
        session_timeout_ms: opts.session_timeout.map(millis),
        max_poll_interval_ms: opts.max_poll_interval.map(millis),
        tz: conn.timezone.as_deref().map(str::to_owned),
        app: conn.user_app.clone(),
        ip: conn.user_ip.clone(),
        connector: Some(CONNECTOR.to_owned()),
        list_instances: None,
        topics: topics.to_vec(),
        config,
    }
}

/// The `blocking_time` of a poll waiting at most `timeout`, in milliseconds.
fn blocking_time(timeout: Duration) -> i64 {
    i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX)
}

/// A JSON reply of `action` as `T`, or the error its header reports (as a TMQ error).
fn json_reply<T: DeserializeOwned>(action: &'static str, reply: Reply) -> Result<T, Error> {
    let Reply::Text(text) = reply else {
        return Err(Error::invalid_response(
            action,
            "a binary frame instead of JSON",
        ));
    };
    let header = peek_header(&text)?;
    check_header(&header, Error::server_tmq)?;
    Ok(from_json(action, &text)?)
}

/// The blocks of a `fetch_raw_data` reply for `message_id`: the rows decoded into Arrow, with
/// the connection's time zone on the timestamps.
pub(crate) fn data_blocks(
    reply: &Reply,
    message_id: u64,
    timezone: Option<Arc<str>>,
) -> Result<(Precision, Vec<TmqBlock>), Error> {
    const ACTION: &str = "fetch_raw_data";
    let frame = match reply {
        Reply::Binary(b) => b,
        Reply::Text(text) => {
            // Some failures come back as JSON.
            let header = peek_header(text)?;
            check_header(&header, Error::server_tmq)?;
            return Err(Error::invalid_response(
                ACTION,
                "JSON instead of a binary frame",
            ));
        }
    };
    let frame = FetchRawDataFrame::decode(frame)?;
    let raw = match frame.body {
        FetchRawDataBody::Error { code, message } => {
            return Err(Error::server_tmq(code, message.into_owned()))
        }
        FetchRawDataBody::Raw { raw, .. } => raw,
    };
    if frame.message_id != message_id {
        return Err(Error::invalid_response(
            ACTION,
            format!(
                "the rows of message {} instead of message {message_id}",
                frame.message_id
            ),
        ));
    }
    let rsp = decode_data_rsp(
        raw,
        &SchemaOptions {
            precision: Precision::Millisecond,
            timezone,
        },
    )?;
    let blocks = rsp
        .blocks
        .into_iter()
        .map(|b| TmqBlock::new(b.table, b.batch))
        .collect();
    Ok((rsp.precision, blocks))
}

/// The kind of a polled message, or the error for a type this client cannot read.
fn message_kind(code: u8) -> Result<MessageKind, Error> {
    MessageKind::from_code(code).ok_or_else(|| match code {
        4 => Error::Interface(
            "raw-data messages (msg.consume.rawdata) cannot be decoded by this client".into(),
        ),
        other => Error::invalid_response("poll", format!("unknown message type {other}")),
    })
}

impl Consumer {
    /// A builder: [`ConsumerOptions::new`].
    pub fn builder() -> ConsumerOptions {
        ConsumerOptions::new()
    }

    /// Connects to `/rest/tmq` (failover, retries, `connect_timeout`) and checks the
    /// server's version. Nothing is subscribed yet: [`subscribe`](Self::subscribe) next.
    pub async fn connect(opts: &ConsumerOptions) -> Result<Consumer, Error> {
        opts.conn.validate()?;
        let (ws, addr) = connect_to(&opts.conn, Endpoint::Tmq).await?;
        Ok(Consumer {
            opts: opts.clone(),
            subscription: std::sync::Mutex::new(Subscription::default()),
            poll_slot: tokio::sync::Mutex::new(PollState {
                last_message_id: 0,
                generation: 0,
                last_commit: Instant::now(),
                uncommitted: false,
            }),
            current: std::sync::Mutex::new(Current {
                socket: Arc::new(Socket::start(ws, opts.conn.read_timeout)),
                addr,
                generation: 0,
            }),
            reconnecting: tokio::sync::Mutex::new(()),
            closed: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The address (`host:port`) in use (after a reconnect, the new one).
    pub fn address(&self) -> String {
        lock(&self.current).addr.clone()
    }

    /// The options it was opened with.
    pub fn options(&self) -> &ConsumerOptions {
        &self.opts
    }

    /// The socket to use and its generation: the current one, or a new one when it was lost
    /// and reconnecting is on. A new socket got `version` and, when subscribed, the
    /// subscription again. A failed reconnect is [`Error::NotSent`] (nothing was sent).
    async fn socket(&self) -> Result<(Arc<Socket>, u64), Error> {
        let current = |c: &Current| (c.socket.clone(), c.generation);
        let (s, generation) = current(&lock(&self.current));
        if !self.reconnects() || !s.is_lost() {
            return Ok((s, generation));
        }
        let _one_at_a_time = self.reconnecting.lock().await;
        let (s, generation) = current(&lock(&self.current));
        if !self.reconnects() || !s.is_lost() {
            return Ok((s, generation));
        }
        let not_sent = |e: Error| Error::NotSent {
            source: Box::new(e),
        };
        let (ws, addr) = connect_to(&self.opts.conn, Endpoint::Tmq)
            .await
            .map_err(not_sent)?;
        let fresh = Arc::new(Socket::start(ws, self.opts.conn.read_timeout));
        let sub = lock(&self.subscription).clone();
        if !sub.topics.is_empty() {
            let reply = Self::call_on(
                &fresh,
                |req_id| {
                    TmqRequest::Subscribe(Box::new(subscribe_request(
                        &self.opts,
                        &sub.topics,
                        req_id,
                        sub.batch_meta,
                    )))
                },
                Duration::ZERO,
            )
            .await
            .and_then(|r| json_reply::<TmqSubscribeResponse>("subscribe", r));
            if let Err(e) = reply {
                fresh.close();
                return Err(not_sent(e));
            }
        }
        tracing::debug!(addr = %addr, topics = ?sub.topics, "reconnected");
        let generation = generation + 1;
        *lock(&self.current) = Current {
            socket: fresh.clone(),
            addr,
            generation,
        };
        if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
            // Closed while reconnecting: the new socket is closed as well.
            fresh.close();
        }
        Ok((fresh, generation))
    }

    /// Whether a lost socket is replaced: `reconnect` is on and the consumer not closed.
    fn reconnects(&self) -> bool {
        self.opts.conn.reconnect && !self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Sends the request `build` makes with a fresh `req_id` on `socket` and waits for its
    /// reply (up to `read_timeout`, plus `extra`).
    async fn call_on(
        socket: &Socket,
        build: impl FnOnce(u64) -> TmqRequest,
        extra: Duration,
    ) -> Result<Reply, Error> {
        let ticket = socket.ticket()?;
        let request = build(ticket.req_id());
        let after = socket.read_timeout().saturating_add(extra);
        ticket
            .call_within(WsMessage::text(request.to_json()), after)
            .await
    }

    /// [`call_on`](Self::call_on) the current socket (reconnecting first when it was lost);
    /// sent once more on a new socket when the frame never went out because the socket was
    /// lost.
    async fn call(
        &self,
        build: impl Fn(u64) -> TmqRequest,
        extra: Duration,
    ) -> Result<Reply, Error> {
        let mut resent = false;
        loop {
            let (socket, _) = self.socket().await?;
            match Self::call_on(&socket, &build, extra).await {
                Err(e @ Error::NotSent { .. })
                    if !resent
                        && self.reconnects()
                        && is_connection_loss(&e)
                        && socket.is_lost() =>
                {
                    tracing::debug!(error = %e, "socket lost before the request went out");
                    resent = true;
                }
                r => return r,
            }
        }
    }

    /// [`call`](Self::call) with a JSON reply of `action` decoded as `T`.
    async fn call_json<T: DeserializeOwned>(
        &self,
        action: &'static str,
        build: impl Fn(u64) -> TmqRequest,
    ) -> Result<T, Error> {
        json_reply(action, self.call(build, Duration::ZERO).await?)
    }

    /// Subscribes to `topics` (sending every consumer option as strings); then seeks the
    /// first topic to the DSN's `offset` pairs, if any. After
    /// [`unsubscribe`](Self::unsubscribe), subscribing again keeps the consumer and takes only
    /// the new topics.
    pub async fn subscribe(&self, topics: &[impl AsRef<str>]) -> Result<(), Error> {
        let topics: Vec<String> = topics.iter().map(|t| t.as_ref().to_owned()).collect();
        let mut batch_meta = true;
        loop {
            let sent = self
                .call_json::<TmqSubscribeResponse>("subscribe", |req_id| {
                    TmqRequest::Subscribe(Box::new(subscribe_request(
                        &self.opts, &topics, req_id, batch_meta,
                    )))
                })
                .await;
            match sent {
                Err(Error::Server { code, .. }) if code == UNKNOWN_CONFIG && batch_meta => {
                    tracing::debug!("subscribe refused an option; again without batch meta");
                    batch_meta = false;
                }
                Err(e) => return Err(e),
                Ok(_) => break,
            }
        }
        *lock(&self.subscription) = Subscription {
            topics: topics.clone(),
            batch_meta,
        };
        if let Some(first) = topics.first() {
            for &(vgroup_id, offset) in &self.opts.offset_seek {
                self.seek(first, vgroup_id, offset).await?;
            }
        }
        Ok(())
    }

    /// Polls for one message, the server waiting at most `timeout` for one; `None` when
    /// nothing arrived. A data message comes with its rows decoded into Arrow
    /// ([`Message::blocks`]), a meta message with its JSON ([`Message::meta`]).
    ///
    /// Polls do not overlap: a second one waits for the first. With `enable.auto.commit`,
    /// every current position is committed first once `auto.commit.interval.ms` passed
    /// since the last auto-commit and a message was delivered since. A poll whose reply does
    /// not come within `timeout` plus `read_timeout` fails with [`Error::Timeout`]; the
    /// message it may have fetched is delivered again by the next poll.
    ///
    /// A poll cut off by a lost socket is issued again on a new one (see [`Consumer`]): the
    /// message it was fetching comes again from the group's committed offset.
    pub async fn poll(&self, timeout: Duration) -> Result<Option<Message>, Error> {
        let mut slot = self.poll_slot.lock().await;
        let mut reissued = false;
        loop {
            let (socket, generation) = self.socket().await?;
            match self.poll_on(&socket, generation, &mut slot, timeout).await {
                Err(e)
                    if !reissued
                        && self.reconnects()
                        && is_connection_loss(&e)
                        && socket.is_lost() =>
                {
                    tracing::debug!(error = %e, "socket lost during a poll; polling again");
                    reissued = true;
                }
                r => return r,
            }
        }
    }

    /// One poll (and the fetch of its message) on `socket`, of socket generation
    /// `generation`.
    async fn poll_on(
        &self,
        socket: &Socket,
        generation: u64,
        slot: &mut PollState,
        timeout: Duration,
    ) -> Result<Option<Message>, Error> {
        if slot.generation != generation {
            // A new consumer: it holds no message, and what the old one delivered since the
            // last commit comes again.
            slot.generation = generation;
            slot.last_message_id = 0;
            slot.uncommitted = false;
        }
        if self.opts.auto_commit
            && slot.uncommitted
            && slot.last_commit.elapsed() >= self.opts.auto_commit_interval
        {
            let message_id = slot.last_message_id;
            let committed = Self::call_on(
                socket,
                |req_id| TmqRequest::Commit(TmqMessageRequest { req_id, message_id }),
                Duration::ZERO,
            )
            .await
            .and_then(|r| json_reply::<TmqCommitResponse>("commit", r));
            match committed {
                Ok(_) => {
                    slot.last_commit = Instant::now();
                    slot.uncommitted = false;
                }
                Err(e) if is_connection_loss(&e) => return Err(e),
                Err(e) => tracing::warn!(error = %e, "auto-commit failed"),
            }
        }
        let last = slot.last_message_id;
        let reply = Self::call_on(
            socket,
            |req_id| {
                TmqRequest::Poll(TmqPollRequest {
                    req_id,
                    blocking_time: blocking_time(timeout),
                    message_id: Some(last),
                })
            },
            timeout,
        )
        .await?;
        let polled: TmqPollResponse = json_reply("poll", reply)?;
        if !polled.have_message {
            return Ok(None);
        }
        let kind = message_kind(polled.message_type)?;
        let message_id = polled.message_id;
        let (precision, blocks) = if kind.has_data() {
            let reply = Self::call_on(
                socket,
                |req_id| TmqRequest::FetchRawData(TmqMessageRequest { req_id, message_id }),
                Duration::ZERO,
            )
            .await?;
            data_blocks(&reply, message_id, self.opts.conn.timezone.clone())?
        } else {
            (Precision::Millisecond, Vec::new())
        };
        let meta = if kind.has_meta() {
            let reply = Self::call_on(
                socket,
                |req_id| TmqRequest::FetchJsonMeta(TmqMessageRequest { req_id, message_id }),
                Duration::ZERO,
            )
            .await?;
            let r: TmqFetchJsonMetaResponse = json_reply("fetch_json_meta", reply)?;
            Some(r.data).filter(|d| !d.is_null())
        } else {
            None
        };
        slot.last_message_id = message_id;
        slot.uncommitted = true;
        Ok(Some(Message {
            topic: polled.topic,
            database: polled.database,
            vgroup_id: polled.vgroup_id,
            offset: polled.offset,
            message_id,
            kind,
            precision,
            blocks,
            meta,
            generation,
        }))
    }

    async fn commit_id(&self, message_id: u64) -> Result<(), Error> {
        let _: TmqCommitResponse = self
            .call_json("commit", |req_id| {
                TmqRequest::Commit(TmqMessageRequest { req_id, message_id })
            })
            .await?;
        Ok(())
    }

    /// Commits every current position (everything polled so far, `message` included).
    ///
    /// A message polled before the socket was replaced cannot be committed (the new consumer
    /// delivers it again): that is an [`Error::Closed`], as is a commit cut off by a lost
    /// socket (it may or may not have been applied).
    pub async fn commit(&self, message: &Message) -> Result<(), Error> {
        let (socket, generation) = self.socket().await?;
        if generation != message.generation {
            return Err(Error::closed(REPLACED));
        }
        let message_id = message.message_id;
        let reply = Self::call_on(
            &socket,
            |req_id| TmqRequest::Commit(TmqMessageRequest { req_id, message_id }),
            Duration::ZERO,
        )
        .await?;
        let _: TmqCommitResponse = json_reply("commit", reply)?;
        Ok(())
    }

    /// Commits every current position.
    pub async fn commit_all(&self) -> Result<(), Error> {
        self.commit_id(0).await
    }

    /// Stores `offset` as the group's committed offset of `(topic, vgroup_id)`.
    pub async fn commit_offset(
        &self,
        topic: &str,
        vgroup_id: i32,
        offset: i64,
    ) -> Result<(), Error> {
        let _: TmqCommitOffsetResponse = self
            .call_json("commit_offset", |req_id| {
                TmqRequest::CommitOffset(TmqCommitOffsetRequest {
                    req_id,
                    topic: topic.to_owned(),
                    vgroup_id,
                    offset,
                })
            })
            .await?;
        Ok(())
    }

    /// The one value a `committed` or `position` reply holds for one pair.
    fn single(action: &'static str, values: Vec<i64>) -> Result<i64, Error> {
        match values[..] {
            [v] => Ok(v),
            _ => Err(Error::invalid_response(
                action,
                format!("{} values for one (topic, vgroup) pair", values.len()),
            )),
        }
    }

    fn pair_request(req_id: u64, topic: &str, vgroup_id: i32) -> TmqTopicVgroupsRequest {
        TmqTopicVgroupsRequest {
            req_id,
            topic_vgroup_ids: vec![TmqTopicVgroup {
                topic: topic.to_owned(),
                vgroup_id,
            }],
        }
    }

    /// The committed offset of `(topic, vgroup_id)`; `None` when nothing is committed.
    pub async fn committed(&self, topic: &str, vgroup_id: i32) -> Result<Option<i64>, Error> {
        let r: TmqCommittedResponse = self
            .call_json("committed", |req_id| {
                TmqRequest::Committed(Self::pair_request(req_id, topic, vgroup_id))
            })
            .await?;
        let v = Self::single("committed", r.committed)?;
        Ok((v != TMQ_NO_COMMITTED).then_some(v))
    }

    /// The offset the next poll of `(topic, vgroup_id)` reads.
    pub async fn position(&self, topic: &str, vgroup_id: i32) -> Result<i64, Error> {
        let r: TmqPositionResponse = self
            .call_json("position", |req_id| {
                TmqRequest::Position(Self::pair_request(req_id, topic, vgroup_id))
            })
            .await?;
        Self::single("position", r.position)
    }

    /// Makes the next poll of `(topic, vgroup_id)` start at `offset` (within the vgroup's
    /// [`Assignment`] `begin..=end`).
    pub async fn seek(&self, topic: &str, vgroup_id: i32, offset: i64) -> Result<(), Error> {
        let _: TmqSeekResponse = self
            .call_json("seek", |req_id| {
                TmqRequest::Seek(TmqSeekRequest {
                    req_id,
                    topic: topic.to_owned(),
                    vgroup_id,
                    offset,
                })
            })
            .await?;
        Ok(())
    }

    /// The vgroups of `topic` assigned to this consumer.
    pub async fn assignment(&self, topic: &str) -> Result<Vec<Assignment>, Error> {
        let r: TmqAssignmentResponse = self
            .call_json("assignment", |req_id| {
                TmqRequest::Assignment(TmqAssignmentRequest {
                    req_id,
                    topic: topic.to_owned(),
                })
            })
            .await?;
        Ok(r.assignment
            .into_iter()
            .map(|a| Assignment {
                vgroup_id: a.vgroup_id,
                offset: a.offset,
                begin: a.begin,
                end: a.end,
            })
            .collect())
    }

    /// [`assignment`](Self::assignment) of every subscribed topic, in subscription order.
    pub async fn assignments(&self) -> Result<Vec<(String, Vec<Assignment>)>, Error> {
        let mut all = Vec::new();
        for topic in self.list_topics() {
            let a = self.assignment(&topic).await?;
            all.push((topic, a));
        }
        Ok(all)
    }

    /// The subscribed topics, as this client subscribed them.
    pub fn list_topics(&self) -> Vec<String> {
        lock(&self.subscription).topics.clone()
    }

    /// The subscribed topics as the server reports them (`list_topics`).
    pub async fn subscription(&self) -> Result<Vec<String>, Error> {
        let r: TmqListTopicsResponse = self
            .call_json("list_topics", |req_id| {
                TmqRequest::ListTopics(ReqIdArgs { req_id })
            })
            .await?;
        Ok(r.topics)
    }

    /// Leaves the group; [`subscribe`](Self::subscribe) may follow.
    pub async fn unsubscribe(&self) -> Result<(), Error> {
        let _: TmqUnsubscribeResponse = self
            .call_json("unsubscribe", |req_id| {
                TmqRequest::Unsubscribe(ReqIdArgs { req_id })
            })
            .await?;
        lock(&self.subscription).topics.clear();
        Ok(())
    }

    /// Closes the socket (the server unsubscribes). Calls in flight, and every later call,
    /// fail with [`Error::Closed`]. Idempotent.
    pub async fn close(&self) -> Result<(), Error> {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        lock(&self.current).socket.close();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tmq::OffsetReset;
    use bytes::Bytes;
    use serde_json::Value;
    use taosarrow_protocol::messages::TmqPollResponse;

    fn args(req: &TmqSubscribeRequest) -> Value {
        let json = TmqRequest::Subscribe(Box::new(req.clone())).to_json();
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["action"], "subscribe");
        v["args"].clone()
    }

    #[test]
    fn subscribe_sends_every_option_as_a_string() {
        let opts = ConsumerOptions::from_pairs([
            ("td.connect.user", "u1"),
            ("td.connect.pass", "p1"),
            ("td.connect.db", "power"),
            ("group.id", "g1"),
            ("client.id", "c1"),
            ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "true"),
            ("auto.commit.interval.ms", "250"),
            ("session.timeout.ms", "6000"),
            ("max.poll.interval.ms", "9000"),
            ("msg.with.table.name", "false"),
            ("msg.enable.batchmeta", "false"),
            ("experimental.snapshot.enable", "true"),
            ("msg.consume.excluded", "1"),
            ("timezone", "Asia/Shanghai"),
        ])
        .unwrap()
        .with_config("td.connect.extra", "x");
        let a = args(&subscribe_request(
            &opts,
            &["t1".into(), "t2".into()],
            9,
            true,
        ));
        let expect = [
            ("user", "u1"),
            ("password", "p1"),
            ("db", "power"),
            ("group_id", "g1"),
            ("client_id", "c1"),
            ("offset_rest", "earliest"),
            ("offset_reset", "earliest"),
            ("snapshot_enable", "true"),
            ("with_table_name", "false"),
            ("auto_commit", "false"),
            ("auto_commit_interval_ms", "250"),
            ("enable_batch_meta", "0"),
            ("msg_consume_excluded", "1"),
            ("session_timeout_ms", "6000"),
            ("max_poll_interval_ms", "9000"),
            ("tz", "Asia/Shanghai"),
            ("connector", CONNECTOR),
        ];
        for (k, v) in expect {
            assert_eq!(a[k], Value::from(v), "{k} in {a}");
        }
        assert_eq!(a["req_id"], 9);
        assert_eq!(a["topics"], serde_json::json!(["t1", "t2"]));
        assert_eq!(a["config"], serde_json::json!({"td.connect.extra": "x"}));
        assert!(a.get("msg_consume_rawdata").is_none(), "{a}");
    }

    #[test]
    fn subscribe_defaults_and_the_retry_without_batch_meta() {
        let opts = ConsumerOptions::new()
            .with_group_id("g")
            .with_connect_options(crate::ConnectOptions::new().with_token("tok"));
        let a = args(&subscribe_request(&opts, &["t".into()], 1, true));
        assert_eq!(a["user"], "root");
        assert_eq!(a["password"], "taosdata");
        assert_eq!(a["enable_batch_meta"], "1");
        assert_eq!(a["with_table_name"], "true");
        assert_eq!(a["snapshot_enable"], "false");
        // Auto-commit is the client's job: the server is always told not to.
        assert_eq!(a["auto_commit"], "false");
        assert_eq!(a["auto_commit_interval_ms"], "5000");
        assert_eq!(a["config"], serde_json::json!({"td.connect.token": "tok"}));
        for absent in ["db", "offset_rest", "offset_reset", "client_id", "tz"] {
            assert!(a.get(absent).is_none(), "{absent} in {a}");
        }
        let a = args(&subscribe_request(&opts, &["t".into()], 1, false));
        assert!(a.get("enable_batch_meta").is_none(), "{a}");
        let latest = opts.with_offset_reset(OffsetReset::Latest);
        let a = args(&subscribe_request(&latest, &[], 1, true));
        assert_eq!(
            (a["offset_rest"].as_str(), a["offset_reset"].as_str()),
            (Some("latest"), Some("latest"))
        );
    }

    #[test]
    fn blocking_time_is_the_timeout_in_ms() {
        assert_eq!(blocking_time(Duration::from_millis(2500)), 2500);
        assert_eq!(blocking_time(Duration::ZERO), 0);
        assert_eq!(blocking_time(Duration::MAX), i64::MAX);
    }

    #[test]
    fn error_replies_carry_the_tdengine_code_as_tmq_errors() {
        let text = br#"{"code":993,"message":"Topic not exist","action":"subscribe","req_id":1,"timing":1}"#;
        let e =
            json_reply::<TmqSubscribeResponse>("subscribe", Reply::Text(Bytes::from_static(text)))
                .unwrap_err();
        assert_eq!(e.code(), Some(Code(0x03E1)));
        assert_eq!(e.kind(), crate::ErrorKind::Tmq);
        assert_eq!(e.message(), "Topic not exist");
        // An error reply lacks the fields of a success (`data` here): the header decides.
        let text = br#"{"code":65535,"message":"message is nil","action":"fetch_json_meta","req_id":2,"timing":1}"#;
        let e = json_reply::<TmqFetchJsonMetaResponse>(
            "fetch_json_meta",
            Reply::Text(Bytes::from_static(text)),
        )
        .unwrap_err();
        assert_eq!(e.code(), Some(Code(0xFFFF)));
        let ok = br#"{"code":0,"message":"","action":"poll","req_id":5,"timing":1,"have_message":true,"topic":"t","database":"d","vgroup_id":2,"message_type":1,"message_id":3,"offset":7}"#;
        let r: TmqPollResponse = json_reply("poll", Reply::Text(Bytes::from_static(ok))).unwrap();
        assert_eq!((r.vgroup_id, r.message_id, r.offset), (2, 3, 7));
        let e = json_reply::<TmqPollResponse>("poll", Reply::Binary(Bytes::new())).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Protocol);
    }

    #[test]
    fn message_types_map_to_kinds() {
        assert_eq!(message_kind(1).unwrap(), MessageKind::Data);
        assert_eq!(message_kind(2).unwrap(), MessageKind::Meta);
        assert_eq!(message_kind(3).unwrap(), MessageKind::MetaData);
        assert!(matches!(message_kind(4), Err(Error::Interface(_))));
        assert!(matches!(message_kind(9), Err(Error::Protocol(_))));
    }

    fn raw_data_frame(message_id: u64, body: FetchRawDataBody<'_>) -> Reply {
        let mut out = Vec::new();
        FetchRawDataFrame {
            timing: 1,
            req_id: 4,
            message_id,
            body,
        }
        .encode(&mut out)
        .unwrap();
        Reply::Binary(Bytes::from(out))
    }

    #[test]
    fn fetch_raw_data_decodes_into_arrow_with_precision_and_zone() {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{Int32Type, TimestampMicrosecondType};
        use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, TimestampMicrosecondArray};
        use arrow_schema::{DataType, Field, Schema, TimeUnit};
        use taosarrow_codec::tmq::{encode_data_rsp, DataRspBlock};

        let schema = Arc::new(Schema::new(vec![
            Field::new(
                "ts",
                DataType::Timestamp(TimeUnit::Microsecond, None),
                false,
            ),
            Field::new("v", DataType::Int32, true),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(TimestampMicrosecondArray::from(vec![
                1_700_000_000_000_001,
                1_700_000_000_000_002,
            ])),
            Arc::new(Int32Array::from(vec![Some(1), None])),
        ];
        let batch = RecordBatch::try_new(schema, cols).unwrap();
        let mut raw = Vec::new();
        encode_data_rsp(
            &[DataRspBlock {
                table: "d1",
                batch: &batch,
            }],
            Precision::Microsecond,
            10,
            11,
            &mut raw,
        )
        .unwrap();
        let reply = raw_data_frame(
            3,
            FetchRawDataBody::Raw {
                meta_type: 2,
                raw: &raw,
            },
        );
        let (precision, blocks) = data_blocks(&reply, 3, Some("UTC".into())).unwrap();
        assert_eq!(precision, Precision::Microsecond);
        let [block] = &blocks[..] else {
            panic!("{blocks:?}")
        };
        assert_eq!(block.table_name(), Some("d1"));
        let b = block.batch();
        assert_eq!(
            b.schema().field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        let ts = b.column(0).as_primitive::<TimestampMicrosecondType>();
        assert_eq!(ts.values(), &[1_700_000_000_000_001, 1_700_000_000_000_002]);
        let v = b.column(1).as_primitive::<Int32Type>();
        assert_eq!((v.value(0), v.is_null(1)), (1, true));
        // The rows of another message are refused.
        let e = data_blocks(&reply, 4, None).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Protocol);
    }

    #[test]
    fn fetch_raw_data_errors_keep_their_code() {
        let reply = raw_data_frame(
            3,
            FetchRawDataBody::Error {
                code: Code(0xFFFF),
                message: "message ID is not equal".into(),
            },
        );
        let e = data_blocks(&reply, 3, None).unwrap_err();
        assert_eq!(e.code(), Some(Code(0xFFFF)));
        assert_eq!(e.kind(), crate::ErrorKind::Tmq);
        assert_eq!(e.message(), "message ID is not equal");
        let json = br#"{"code":65535,"message":"tmq not init","action":"fetch_raw_data","req_id":4,"timing":1}"#;
        let e = data_blocks(&Reply::Text(Bytes::from_static(json)), 3, None).unwrap_err();
        assert_eq!(e.message(), "tmq not init");
        let e = data_blocks(&Reply::Binary(Bytes::from_static(&[1, 2, 3])), 3, None).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Protocol);
    }
}
