//! The TMQ endpoint `/rest/tmq` (`tmq.md`): one consumer per connection, credentials and
//! options in `subscribe`, one held message per connection, binary `fetch_raw_data`.
//!
//! A poll runs beside the connection's frame loop (other requests are answered while it
//! waits); a new poll replaces one still waiting, which then gets no answer, as taosAdapter's
//! single-slot poll queue does. Undecodable requests and unknown actions get no answer at
//! all (`tmq.md` §1). Closing the connection unsubscribes and forgets the consumer.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use taosarrow_codec::tmq::{encode_data_rsp, DataRspBlock};
use taosarrow_codec::{column_spec, encode_block};
use taosarrow_protocol::frames::tmq::RAW_TYPE_DATA;
use taosarrow_protocol::frames::{
    FetchRawDataBody, FetchRawDataFrame, FetchRawFrame, TmqFetchBlockFrame,
};
use taosarrow_protocol::messages::{
    ResponseHeader, TmqAssignment, TmqAssignmentResponse, TmqCommitOffsetResponse,
    TmqCommitResponse, TmqCommittedResponse, TmqErrorResponse, TmqFetchJsonMetaResponse,
    TmqFetchResponse, TmqListTopicsResponse, TmqPollResponse, TmqPositionResponse, TmqRequest,
    TmqSeekResponse, TmqSubscribeRequest, TmqSubscribeResponse, TmqTopicVgroupsRequest,
    TmqUnsubscribeResponse, VersionResponse, TMQ_RES_DATA, TMQ_RES_TABLE_META,
};
use taosarrow_protocol::Code;

use super::{elapsed_ns, Connection, Flow};
use crate::config::SERVER_VERSION;
use crate::engine::tmq::{ConsumerId, Polled, PolledKind, SubscribeOptions, Tmq};
use crate::ServerError;

/// The longest `blocking_time` a poll waits; longer ones are cut to it.
const MAX_BLOCKING: Duration = Duration::from_secs(300);
/// `auto.commit.interval.ms` when not given (TDengine's default).
const DEFAULT_AUTO_COMMIT_MS: u64 = 5000;

/// A poll waiting for a message.
type PollFuture = Pin<Box<dyn Future<Output = Result<Option<Polled>, ServerError>> + Send>>;

/// A poll in flight: its request and its future.
pub(super) struct PendingPoll {
    req_id: u64,
    start: Instant,
    fut: PollFuture,
}

/// The message a connection holds: its id, the message and where legacy `fetch` is.
struct Held {
    id: u64,
    msg: Polled,
    /// The next block a legacy `fetch` describes.
    cursor: usize,
}

/// What `fetch*` requests find.
enum HeldState {
    None,
    Freed,
    Held(Held),
}

/// The TMQ state of one `/rest/tmq` connection.
pub(super) struct TmqState {
    tmq: Arc<Tmq>,
    consumer: Option<ConsumerId>,
    subscribed: bool,
    held: HeldState,
    last_message_id: u64,
    /// `enable.auto.commit` with its interval, handled here as taosAdapter does.
    auto_commit: Option<Duration>,
    last_auto_commit: Instant,
    /// The block the last legacy `fetch` prepared, with that fetch's `req_id`.
    fetched_block: Option<(u64, u64, Vec<u8>)>,
    pub(super) pending: Option<PendingPoll>,
}

impl TmqState {
    pub(super) fn new(tmq: Arc<Tmq>) -> TmqState {
        TmqState {
            tmq,
            consumer: None,
            subscribed: false,
            held: HeldState::None,
            last_message_id: 0,
            auto_commit: None,
            last_auto_commit: Instant::now(),
            fetched_block: None,
            pending: None,
        }
    }

    /// The held message named `id`, or the adapter's error for it.
    fn held(&mut self, id: u64) -> Result<&mut Held, ServerError> {
        match &mut self.held {
            HeldState::Held(h) if h.id == id => Ok(h),
            HeldState::Held(_) => Err(ServerError::protocol("message ID is not equal")),
            HeldState::Freed => Err(ServerError::protocol("message has been freed")),
            HeldState::None => Err(ServerError::protocol("message is nil")),
        }
    }

    fn consumer(&self) -> Result<ConsumerId, ServerError> {
        match self.consumer {
            Some(id) if self.subscribed => Ok(id),
            _ => Err(ServerError::protocol("tmq not init")),
        }
    }
}

impl Drop for TmqState {
    fn drop(&mut self) {
        if let Some(id) = self.consumer {
            self.tmq.close(id);
        }
    }
}

/// Awaits the pending poll of `state`; never completes when there is none.
pub(super) async fn pending_poll(
    state: &mut Option<TmqState>,
) -> (u64, Instant, Result<Option<Polled>, ServerError>) {
    match state.as_mut().and_then(|s| s.pending.as_mut()) {
        Some(p) => {
            let out = (&mut p.fut).await;
            (p.req_id, p.start, out)
        }
        None => std::future::pending().await,
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, ServerError> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ServerError::protocol(format!("invalid {key}: {v}"))),
    }
}

/// The consumer options of a `subscribe` request as `tmq_conf_set` pairs, in the order
/// taosAdapter sets them (fields, then `config`, which overrides them); the password is
/// checked apart and never kept.
fn option_pairs(r: &TmqSubscribeRequest) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = vec![("td.connect.user".into(), r.user.clone())];
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((k.to_owned(), v.clone()));
        }
    };
    put("td.connect.db", &r.db);
    put("group.id", &r.group_id);
    put("client.id", &r.client_id);
    let reset = r
        .offset_reset
        .clone()
        .filter(|v| !v.is_empty())
        .or_else(|| r.offset_rest.clone());
    put("auto.offset.reset", &reset);
    put("experimental.snapshot.enable", &r.snapshot_enable);
    put("msg.with.table.name", &r.with_table_name);
    put("msg.enable.batchmeta", &r.enable_batch_meta);
    put("msg.consume.excluded", &r.msg_consume_excluded);
    put("msg.consume.rawdata", &r.msg_consume_rawdata);
    put("session.timeout.ms", &r.session_timeout_ms);
    put("max.poll.interval.ms", &r.max_poll_interval_ms);
    for (k, v) in &r.config {
        if matches!(
            k.as_str(),
            "td.connect.user" | "td.connect.pass" | "td.connect.ip" | "td.connect.port"
        ) {
            continue;
        }
        pairs.push((k.clone(), v.clone()));
    }
    pairs
}

/// `enable.auto.commit` (the field, else `config`) and its interval: `Some(interval)` when
/// on. Unparsable values are adapter errors (65535).
fn auto_commit(r: &TmqSubscribeRequest) -> Result<Option<Duration>, ServerError> {
    let on = r
        .config
        .get("enable.auto.commit")
        .or(r.auto_commit.as_ref())
        .filter(|v| !v.is_empty());
    let on = match on {
        Some(v) => parse_bool("auto_commit", v)?,
        None => false,
    };
    let every = r
        .config
        .get("auto.commit.interval.ms")
        .or(r.auto_commit_interval_ms.as_ref())
        .filter(|v| !v.is_empty());
    let every = match every {
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map_err(|_| ServerError::protocol(format!("invalid auto_commit_interval_ms: {v}")))?,
        None => DEFAULT_AUTO_COMMIT_MS,
    };
    Ok(on.then(|| Duration::from_millis(every)))
}

/// The one JSON response of a TMQ request.
#[derive(Serialize)]
#[serde(untagged)]
enum TmqAnswer {
    Version(VersionResponse),
    Subscribe(TmqSubscribeResponse),
    Fetch(TmqFetchResponse),
    JsonMeta(TmqFetchJsonMetaResponse),
    Commit(TmqCommitResponse),
    CommitOffset(TmqCommitOffsetResponse),
    Committed(TmqCommittedResponse),
    Position(TmqPositionResponse),
    Seek(TmqSeekResponse),
    Assignment(TmqAssignmentResponse),
    ListTopics(TmqListTopicsResponse),
    Unsubscribe(TmqUnsubscribeResponse),
}

/// A poll response for `msg` held as `id`.
fn poll_response(header: ResponseHeader, id: u64, msg: &Polled) -> TmqPollResponse {
    TmqPollResponse {
        header,
        have_message: true,
        topic: msg.topic.clone(),
        database: msg.database.clone(),
        vgroup_id: msg.vgroup_id,
        message_type: match msg.kind {
            PolledKind::Data => TMQ_RES_DATA,
            PolledKind::Meta => TMQ_RES_TABLE_META,
        },
        message_id: id,
        offset: msg.offset,
    }
}

/// The rows payload of a data message (`tmq.md` §3.5.1).
fn data_payload(msg: &Polled, out: &mut Vec<u8>) -> Result<(), ServerError> {
    let blocks: Vec<DataRspBlock<'_>> = msg
        .blocks
        .iter()
        .map(|b| DataRspBlock {
            table: &b.table,
            batch: &b.batch,
        })
        .collect();
    encode_data_rsp(&blocks, msg.precision, msg.offset, msg.next, out)
        .map_err(|e| ServerError::internal(e.to_string()))
}

fn not_data() -> ServerError {
    ServerError::protocol("message type is not data")
}

impl Connection {
    fn tmq_state(&mut self) -> &mut TmqState {
        let tmq = Arc::clone(self.shared.engine.tmq());
        self.tmq.get_or_insert_with(|| TmqState::new(tmq))
    }

    /// One text frame on `/rest/tmq`.
    pub(super) async fn on_tmq_text(&mut self, text: &[u8]) -> Flow {
        let start = Instant::now();
        let Ok(req) = TmqRequest::parse(text) else {
            return Flow::Continue;
        };
        let (action, req_id, message_id) = (req.action(), req.req_id(), req.message_id());
        let state = self.tmq_state();
        if let Some(id) = state.consumer {
            state.tmq.touch(id);
        }
        let header = ResponseHeader::ok(action, req_id, elapsed_ns(start));
        let answer = match req {
            TmqRequest::Poll(p) => {
                return self
                    .tmq_poll(p.req_id, p.blocking_time, p.message_id, start)
                    .await
            }
            TmqRequest::FetchRawData(r) => {
                return self.tmq_fetch_raw_data(r.req_id, r.message_id, start).await
            }
            TmqRequest::FetchRaw(r) => match self.tmq_fetch_raw(r.req_id, r.message_id, start) {
                Ok(frame) => return self.send_binary(frame).await,
                Err(e) => Err(e),
            },
            TmqRequest::FetchBlock(r) => match self.tmq_fetch_block(r.message_id, start) {
                Ok(frame) => return self.send_binary(frame).await,
                Err(e) => Err(e),
            },
            other => self.tmq_answer(other, header),
        };
        match answer {
            Ok(a) => self.send_json(&a).await,
            Err(e) => {
                self.send_tmq_error(action, req_id, message_id, start, e)
                    .await
            }
        }
    }

    async fn send_tmq_error(
        &mut self,
        action: &str,
        req_id: u64,
        message_id: Option<u64>,
        start: Instant,
        err: ServerError,
    ) -> Flow {
        let resp = TmqErrorResponse {
            header: ResponseHeader::error(action, req_id, elapsed_ns(start), err.code, err.message),
            message_id,
        };
        self.send_json(&resp).await
    }

    /// The requests answered at once with one JSON response.
    fn tmq_answer(
        &mut self,
        req: TmqRequest,
        header: ResponseHeader,
    ) -> Result<TmqAnswer, ServerError> {
        Ok(match req {
            TmqRequest::Version(_) => TmqAnswer::Version(VersionResponse {
                header,
                version: SERVER_VERSION.to_owned(),
            }),
            TmqRequest::Subscribe(r) => {
                self.tmq_subscribe(&r)?;
                TmqAnswer::Subscribe(TmqSubscribeResponse {
                    header,
                    version: SERVER_VERSION.to_owned(),
                })
            }
            TmqRequest::Fetch(r) => {
                TmqAnswer::Fetch(self.tmq_fetch(header, r.req_id, r.message_id)?)
            }
            TmqRequest::FetchJsonMeta(r) => {
                let held = self.tmq_state().held(r.message_id)?;
                let data = match (&held.msg.kind, &held.msg.meta) {
                    (PolledKind::Meta, Some(meta)) => meta.clone(),
                    _ => {
                        return Err(ServerError::protocol(format!(
                            "message type can not get meta, type: {TMQ_RES_DATA}"
                        )))
                    }
                };
                TmqAnswer::JsonMeta(TmqFetchJsonMetaResponse {
                    header,
                    message_id: r.message_id,
                    data,
                })
            }
            TmqRequest::Commit(r) => {
                let s = self.tmq_state();
                s.tmq.commit_all(s.consumer()?)?;
                TmqAnswer::Commit(TmqCommitResponse {
                    header,
                    message_id: r.message_id,
                })
            }
            TmqRequest::CommitOffset(r) => {
                let s = self.tmq_state();
                s.tmq
                    .commit_offset(s.consumer()?, &r.topic, r.vgroup_id, r.offset)?;
                TmqAnswer::CommitOffset(TmqCommitOffsetResponse {
                    header,
                    topic: r.topic,
                    vgroup_id: r.vgroup_id,
                    offset: r.offset,
                })
            }
            TmqRequest::Committed(r) => TmqAnswer::Committed(TmqCommittedResponse {
                header,
                committed: self.tmq_offsets(&r, Tmq::committed)?,
            }),
            TmqRequest::Position(r) => TmqAnswer::Position(TmqPositionResponse {
                header,
                position: self.tmq_offsets(&r, Tmq::position)?,
            }),
            TmqRequest::Seek(r) => {
                let s = self.tmq_state();
                s.tmq.seek(s.consumer()?, &r.topic, r.vgroup_id, r.offset)?;
                TmqAnswer::Seek(TmqSeekResponse { header })
            }
            TmqRequest::Assignment(r) => {
                let s = self.tmq_state();
                let assignment = s
                    .tmq
                    .assignment(s.consumer()?, &r.topic)?
                    .into_iter()
                    .map(|a| TmqAssignment {
                        vgroup_id: a.vgroup_id,
                        offset: a.offset,
                        begin: a.begin,
                        end: a.end,
                    })
                    .collect();
                TmqAnswer::Assignment(TmqAssignmentResponse { header, assignment })
            }
            TmqRequest::ListTopics(_) => {
                let s = self.tmq_state();
                let topics = match s.consumer {
                    Some(id) if s.subscribed => s.tmq.subscription(id),
                    Some(_) => Vec::new(),
                    None => return Err(ServerError::protocol("tmq not init")),
                };
                TmqAnswer::ListTopics(TmqListTopicsResponse { header, topics })
            }
            TmqRequest::Unsubscribe(_) => {
                let s = self.tmq_state();
                let id = s.consumer()?;
                s.tmq.unsubscribe(id);
                s.subscribed = false;
                s.pending = None;
                s.held = HeldState::Freed;
                s.fetched_block = None;
                TmqAnswer::Unsubscribe(TmqUnsubscribeResponse { header })
            }
            // Answered by `on_tmq_text` itself.
            TmqRequest::Poll(_)
            | TmqRequest::FetchRawData(_)
            | TmqRequest::FetchRaw(_)
            | TmqRequest::FetchBlock(_) => return Err(ServerError::protocol("unexpected request")),
            _ => return Err(ServerError::protocol("unknown action")),
        })
    }

    /// `committed` / `position`: one value per pair, in request order.
    fn tmq_offsets(
        &mut self,
        r: &TmqTopicVgroupsRequest,
        get: fn(&Tmq, ConsumerId, &str, i32) -> Result<i64, ServerError>,
    ) -> Result<Vec<i64>, ServerError> {
        let s = self.tmq_state();
        let id = s.consumer()?;
        r.topic_vgroup_ids
            .iter()
            .map(|p| get(&s.tmq, id, &p.topic, p.vgroup_id))
            .collect()
    }

    /// `subscribe`: a new consumer from the request's credentials and options, or the same
    /// consumer with new topics after an `unsubscribe` (`tmq.md` §3.2).
    fn tmq_subscribe(&mut self, r: &TmqSubscribeRequest) -> Result<(), ServerError> {
        let engine = self.shared.engine.clone();
        let login = engine.users().authenticate(&r.user, &r.password);
        // Subscribing needs the right to each topic that exists (a missing one is the
        // subscription's own error).
        let user = if self.user.is_empty() {
            r.user.clone()
        } else {
            self.user.clone()
        };
        if login.is_ok() || !self.user.is_empty() {
            for t in &r.topics {
                if engine.tmq().topic(t).is_some() {
                    engine.users().check_subscribe(Some(&user), t)?;
                }
            }
        }
        let s = self.tmq_state();
        if s.subscribed {
            return Err(ServerError::protocol("tmq should have unsubscribed first"));
        }
        if let Some(id) = s.consumer {
            let id = s
                .tmq
                .subscribe(Some(id), SubscribeOptions::default(), &r.topics)?;
            s.consumer = Some(id);
            s.subscribed = true;
            s.held = HeldState::None;
            return Ok(());
        }
        login?;
        let pairs = option_pairs(r);
        let opts = SubscribeOptions::from_pairs(&pairs)?;
        if opts.raw_data {
            return Err(ServerError::new(
                Code::INVALID_PARA,
                "invalid value for key 'msg.consume.rawdata': raw data messages are not supported by this server",
            ));
        }
        let db = r.db.clone().filter(|d| !d.is_empty());
        if let Some(db) = &db {
            if !engine.database_exists(db) {
                return Err(ServerError::from_code(Code::MND_DB_NOT_EXIST));
            }
        }
        let every = auto_commit(r)?;
        let id = s.tmq.subscribe(None, opts, &r.topics)?;
        s.consumer = Some(id);
        s.subscribed = true;
        s.auto_commit = every;
        s.last_auto_commit = Instant::now();
        self.user = r.user.clone();
        let mut session = engine.session(db);
        session.set_user(Some(&r.user));
        self.session = Some(session);
        self.register_peer(crate::engine::peers::PeerOptions::default());
        Ok(())
    }

    /// `poll`: re-sends the held message's answer when the request names another message
    /// (a client that lost the answer), else starts a poll, replacing one still waiting.
    async fn tmq_poll(
        &mut self,
        req_id: u64,
        blocking_ms: i64,
        message_id: Option<u64>,
        start: Instant,
    ) -> Flow {
        let engine = self.shared.engine.clone();
        let s = self.tmq_state();
        let id = match s.consumer() {
            Ok(id) => id,
            Err(e) => {
                return self
                    .send_tmq_error("poll", req_id, message_id, start, e)
                    .await
            }
        };
        if let (Some(asked), HeldState::Held(h)) = (message_id, &s.held) {
            if asked != h.id {
                let header = ResponseHeader::ok("poll", req_id, elapsed_ns(start));
                let resp = poll_response(header, h.id, &h.msg);
                return self.send_json(&resp).await;
            }
        }
        if let Some(every) = s.auto_commit {
            if s.last_auto_commit.elapsed() >= every {
                s.last_auto_commit = Instant::now();
                if let Err(e) = s.tmq.commit_all(id) {
                    return self
                        .send_tmq_error("poll", req_id, message_id, start, e)
                        .await;
                }
            }
        }
        let blocking =
            Duration::from_millis(u64::try_from(blocking_ms).unwrap_or(0)).min(MAX_BLOCKING);
        let tmq = Arc::clone(&s.tmq);
        s.pending = Some(PendingPoll {
            req_id,
            start,
            fut: Box::pin(async move { tmq.poll(&engine, id, blocking).await }),
        });
        Flow::Continue
    }

    /// Answers a finished poll: the new message becomes the held one.
    pub(super) async fn tmq_poll_done(
        &mut self,
        req_id: u64,
        start: Instant,
        out: Result<Option<Polled>, ServerError>,
    ) -> Flow {
        let s = self.tmq_state();
        s.pending = None;
        let header = ResponseHeader::ok("poll", req_id, elapsed_ns(start));
        match out {
            Ok(Some(msg)) => {
                s.last_message_id += 1;
                let id = s.last_message_id;
                let resp = poll_response(header, id, &msg);
                s.held = HeldState::Held(Held { id, msg, cursor: 0 });
                self.send_json(&resp).await
            }
            Ok(None) => {
                let resp = TmqPollResponse {
                    header,
                    ..TmqPollResponse::default()
                };
                self.send_json(&resp).await
            }
            Err(e) => self.send_tmq_error("poll", req_id, None, start, e).await,
        }
    }

    /// `fetch_raw_data`: the held data message in one binary frame; errors in binary too.
    async fn tmq_fetch_raw_data(&mut self, req_id: u64, message_id: u64, start: Instant) -> Flow {
        let timing = |start: Instant| u64::try_from(elapsed_ns(start)).unwrap_or(0);
        let mut frame = Vec::new();
        let result = match self.tmq_state().held(message_id) {
            Ok(h) if h.msg.kind == PolledKind::Data => {
                let msg = &h.msg;
                FetchRawDataFrame::encode_raw_with(
                    &mut frame,
                    timing(start),
                    req_id,
                    message_id,
                    RAW_TYPE_DATA,
                    |out| data_payload(msg, out),
                )
            }
            Ok(_) => Err(not_data()),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            frame.clear();
            let body = FetchRawDataBody::Error {
                code: e.code,
                message: e.message.into(),
            };
            let f = FetchRawDataFrame {
                timing: timing(start),
                req_id,
                message_id,
                body,
            };
            if f.encode(&mut frame).is_err() {
                return Flow::Continue;
            }
        }
        self.send_binary(frame).await
    }

    /// Legacy `fetch_raw`: the same payload in the tag-3 layout; meta messages have no raw
    /// form here.
    fn tmq_fetch_raw(
        &mut self,
        req_id: u64,
        message_id: u64,
        start: Instant,
    ) -> Result<Vec<u8>, ServerError> {
        let h = self.tmq_state().held(message_id)?;
        if h.msg.kind != PolledKind::Data {
            return Err(ServerError::protocol(
                "raw meta is not supported by this server: use fetch_json_meta",
            ));
        }
        let mut raw = Vec::new();
        data_payload(&h.msg, &mut raw)?;
        let mut frame = Vec::with_capacity(raw.len() + 40);
        FetchRawFrame {
            timing: u64::try_from(elapsed_ns(start)).unwrap_or(0),
            req_id,
            message_id,
            meta_type: RAW_TYPE_DATA,
            raw: &raw,
        }
        .encode(&mut frame)?;
        Ok(frame)
    }

    /// Legacy `fetch`: describes the held message's next block and keeps it for
    /// `fetch_block`.
    fn tmq_fetch(
        &mut self,
        header: ResponseHeader,
        req_id: u64,
        message_id: u64,
    ) -> Result<TmqFetchResponse, ServerError> {
        let s = self.tmq_state();
        let h = s.held(message_id)?;
        if h.msg.kind != PolledKind::Data {
            return Err(not_data());
        }
        let Some(block) = h.msg.blocks.get(h.cursor) else {
            return Ok(TmqFetchResponse {
                header,
                message_id,
                completed: true,
                ..TmqFetchResponse::default()
            });
        };
        h.cursor += 1;
        let schema = block.batch.schema();
        let mut names = Vec::new();
        let mut types = Vec::new();
        let mut lengths = Vec::new();
        for f in schema.fields() {
            let spec = column_spec(f).map_err(|e| ServerError::internal(e.to_string()))?;
            names.push(spec.name);
            types.push(spec.ty.code());
            lengths.push(i64::from(spec.length));
        }
        let mut raw = Vec::new();
        encode_block(&block.batch, &mut raw).map_err(|e| ServerError::internal(e.to_string()))?;
        let resp = TmqFetchResponse {
            header,
            message_id,
            completed: false,
            table_name: block.table.clone(),
            rows: block.batch.num_rows() as i64,
            fields_count: names.len() as i64,
            fields_names: Some(names),
            fields_types: Some(types),
            fields_lengths: Some(lengths),
            precision: h.msg.precision.code(),
        };
        s.fetched_block = Some((req_id, message_id, raw));
        Ok(resp)
    }

    /// Legacy `fetch_block`: the block the last `fetch` prepared, under that fetch's
    /// `req_id`.
    fn tmq_fetch_block(&mut self, message_id: u64, start: Instant) -> Result<Vec<u8>, ServerError> {
        let s = self.tmq_state();
        s.held(message_id)?;
        let Some((req_id, _, block)) = &s.fetched_block else {
            return Err(ServerError::protocol("no fetch data"));
        };
        let mut frame = Vec::with_capacity(block.len() + 24);
        TmqFetchBlockFrame {
            timing: u64::try_from(elapsed_ns(start)).unwrap_or(0),
            req_id: *req_id,
            message_id,
            block,
        }
        .encode(&mut frame);
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_map_to_tdengine_keys_and_config_overrides() {
        let r = TmqSubscribeRequest {
            user: "root".into(),
            password: "secret".into(),
            group_id: Some("g".into()),
            offset_rest: Some("earliest".into()),
            config: [
                ("td.connect.pass".to_string(), "x".to_string()),
                ("client.id".to_string(), "c9".to_string()),
            ]
            .into(),
            client_id: Some("c1".into()),
            ..TmqSubscribeRequest::default()
        };
        let pairs = option_pairs(&r);
        assert!(pairs
            .iter()
            .all(|(k, v)| k != "td.connect.pass" && v != "secret"));
        let opts = SubscribeOptions::from_pairs(&pairs).unwrap();
        assert_eq!(opts.group, "g");
        assert_eq!(opts.client_id, "c9");
        assert_eq!(opts.offset_reset, crate::engine::tmq::OffsetReset::Earliest);
        let both = TmqSubscribeRequest {
            offset_reset: Some("latest".into()),
            offset_rest: Some("earliest".into()),
            ..r
        };
        let opts = SubscribeOptions::from_pairs(&option_pairs(&both)).unwrap();
        assert_eq!(opts.offset_reset, crate::engine::tmq::OffsetReset::Latest);
    }

    #[test]
    fn auto_commit_is_off_unless_asked() {
        let mut r = TmqSubscribeRequest::default();
        assert_eq!(auto_commit(&r).unwrap(), None);
        r.auto_commit = Some("true".into());
        assert_eq!(auto_commit(&r).unwrap(), Some(Duration::from_millis(5000)));
        r.auto_commit_interval_ms = Some("100".into());
        assert_eq!(auto_commit(&r).unwrap(), Some(Duration::from_millis(100)));
        r.auto_commit_interval_ms = Some("soon".into());
        assert_eq!(auto_commit(&r).unwrap_err().code, Code::ADAPTER_PROTOCOL);
    }
}
