//! Live updates: one broadcast channel per listened-to session, fed from
//! the database.
//!
//! After a write commits, the service calls [`LiveHub::notify`] with the
//! session and its new sequence number. One hub task reads the committed
//! changes from the `events` table in order, folds bursts of counts
//! ([`coalesce`]), serialises each resulting frame once, and broadcasts
//! the bytes on the session's channel. Every SSE connection subscribes to
//! its session's channel, so a vote in one room wakes only that room's
//! connections, however many sessions the process serves; a session nobody
//! listens to costs the hub nothing but a number.
//!
//! Reading from the database rather than passing events in memory is what
//! makes the stream exact: frames go out in sequence order even when
//! commits race, the same path serves other instances' commits (PostgreSQL
//! LISTEN/NOTIFY only has to call `notify`), and a connection that falls
//! behind or reconnects catches up from the same table.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard, PoisonError,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::Duration,
};

use bytes::Bytes;
use futures::Stream;
use rembuk_domain::{
    SessionId,
    event::{Frame, LiveEvent, coalesce},
};
use tokio::{
    sync::{broadcast, mpsc},
    time::Instant,
};

use crate::storage::{Backend, Store, events, notify::Heard, sessions};

/// Who a live connection belongs to, which decides what it may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Facilitators, the secretariat, the projector: everything.
    Staff,
    /// Participants: no pending or hidden cards, no moderation details, no
    /// tallies a question hides.
    Participant,
}

/// A frame ready to write to every subscriber of its session, serialised
/// once per audience.
#[derive(Debug)]
pub struct WireFrame {
    pub session: SessionId,
    pub first_seq: u64,
    pub last_seq: u64,
    /// The complete SSE message for staff (`id:`, `data:`, blank line).
    pub staff: Bytes,
    /// The same for participants (only `id:` when they see nothing of it).
    pub public: Bytes,
}

impl WireFrame {
    fn bytes(&self, audience: Audience) -> &Bytes {
        match audience {
            Audience::Staff => &self.staff,
            Audience::Participant => &self.public,
        }
    }
}

/// Most changes one catch-up replays before the client is asked to
/// refetch the snapshot instead.
pub const MAX_REPLAY: u64 = 2_000;
/// How often a stream sends a comment, so that proxies and phones keep an
/// idle connection open.
const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// How many frames a slow subscriber may fall behind before it catches up
/// from the database.
const CHANNEL_CAPACITY: usize = 1024;
/// Most changes the hub reads in one go.
const BATCH: u32 = 5_000;

/// The process's live hub. Cheap to clone.
#[derive(Clone, Debug)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The channel of each session with at least one subscriber.
    channels: Mutex<HashMap<SessionId, broadcast::Sender<Arc<WireFrame>>>>,
    notify: mpsc::UnboundedSender<(SessionId, u64)>,
    subscribers: AtomicUsize,
    /// Set by [`LiveHub::close`]: no stream waits for frames any more.
    closed: AtomicBool,
    store: Store,
}

impl LiveHub {
    /// Starts the hub task. Must run inside a Tokio runtime.
    pub async fn start(store: Store) -> crate::storage::Result<LiveHub> {
        let (notify, rx) = mpsc::unbounded_channel();
        let baseline = {
            let mut conn = store.read().await?;
            sessions::all_last_seqs(&mut conn).await?
        };
        let hub = LiveHub {
            inner: Arc::new(Inner {
                channels: Mutex::default(),
                notify,
                subscribers: AtomicUsize::new(0),
                closed: AtomicBool::new(false),
                store,
            }),
        };
        tokio::spawn(run(hub.clone(), rx, baseline.into_iter().collect()));
        if hub.inner.store.backend() == Backend::Postgres {
            tokio::spawn(listen_to_other_instances(hub.clone()));
        }
        Ok(hub)
    }

    /// Tells the hub that `session` committed changes up to `seq`. Never
    /// blocks and never fails, even when nobody listens.
    pub fn notify(&self, session: SessionId, seq: u64) {
        if seq > 0 {
            let _ = self.inner.notify.send((session, seq));
        }
    }

    /// Ends every live stream of this process, and any opened after: for
    /// shutting down, since a stream never ends by itself and a server
    /// waits for its responses to finish. Browsers reconnect on their own
    /// once a server is back.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::SeqCst);
        // Without a sender, every waiting stream hears that its channel
        // closed. A subscription made after this sees `closed` first.
        self.inner.channels().clear();
    }

    /// Open live connections in this process.
    pub fn subscriber_count(&self) -> usize {
        self.inner.subscribers.load(Ordering::Relaxed)
    }

    /// Sessions with at least one open live connection in this process.
    pub fn sessions_listened(&self) -> usize {
        self.inner.channels().len()
    }

    /// A session's live stream as SSE bytes.
    ///
    /// `after` is the last sequence number the client has (its
    /// `Last-Event-ID`, or the `seq` of the snapshot it fetched). Without
    /// it the stream starts now with a `ready` event. With it, missed
    /// changes are replayed, or, when more than [`MAX_REPLAY`] were missed
    /// (or `after` is from another history), a `resync` event asks the
    /// client to refetch the snapshot. After that, frames follow without a
    /// gap or a repeat.
    pub fn subscribe(
        &self,
        session: SessionId,
        after: Option<u64>,
        audience: Audience,
    ) -> impl Stream<Item = Bytes> + Send + 'static {
        let hub = self.clone();
        // Subscribed before reading where the session stands, so that no
        // frame falls between that reading and the channel.
        let mut subscription = Subscription::new(self.inner.clone(), session);
        async_stream::stream! {
            if hub.inner.closed.load(Ordering::SeqCst) {
                return;
            }
            let rx = subscription.rx();
            let store = hub.inner.store.clone();
            // The reads are boxed: an idle stream, which is what most of
            // them are most of the time, then holds no room for them.
            let current = Box::pin(last_seq(&store, session)).await;
            // Ask EventSource to retry after 2 s when the connection drops.
            yield Bytes::from_static(b"retry: 2000\n\n");
            let mut sent = match after {
                None => {
                    yield encode_event(current, &LiveEvent::Ready { seq: current });
                    current
                }
                Some(a) if a > current || current - a > MAX_REPLAY => {
                    yield encode_event(current, &LiveEvent::Resync { seq: current });
                    current
                }
                Some(a) => a,
            };
            // Catch up from the database to (at least) `current`. From
            // `current` on there is nothing to read: whatever committed
            // after it reaches the channel, which was subscribed before
            // `current` was read (a run of counts that began before it
            // fits, see `fit`). So a phone that starts from its snapshot
            // costs one read here, not two.
            if sent < current {
                for bytes in Box::pin(catch_up(&store, session, audience, &mut sent)).await {
                    yield bytes;
                }
            }
            // One timer for the stream's life, rather than one set and
            // cancelled for every frame: a comment every 20 s, busy or not.
            let mut keep_alive = tokio::time::interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
            keep_alive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let next = tokio::select! {
                    biased;
                    frame = rx.recv() => Ok(frame),
                    _ = keep_alive.tick() => Err(()),
                };
                let frame = match next {
                    Err(()) => {
                        yield Bytes::from_static(b": keep-alive\n\n");
                        continue;
                    }
                    Ok(Err(broadcast::error::RecvError::Closed)) => break,
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => None,
                    Ok(Ok(frame)) => match fit(&frame, session, sent) {
                        Fit::Old => continue,
                        Fit::Next => Some(frame),
                        Fit::Gap => None,
                    },
                };
                let gap = match frame {
                    Some(frame) => {
                        // Frames already waiting go out with this one, in
                        // one write: under load a phone gets one chunk for
                        // several votes instead of one write per vote.
                        let (bytes, gap) = drain(rx, session, audience, &frame, &mut sent);
                        yield bytes;
                        gap
                    }
                    None => true,
                };
                if gap {
                    for bytes in Box::pin(catch_up(&store, session, audience, &mut sent)).await {
                        yield bytes;
                    }
                }
            }
        }
    }
}

/// Most frames [`drain`] joins into one write.
const DRAIN_MAX: usize = 64;

/// Where a frame stands for a stream that has sent everything up to `sent`.
#[derive(Debug, PartialEq, Eq)]
enum Fit {
    /// Another session's, or nothing the stream has not sent.
    Old,
    /// It goes out next: it starts right after `sent`, or it is a run of
    /// counts that `sent` falls inside.
    Next,
    /// It starts later than `sent + 1`: what lies between must be read
    /// from the database first.
    Gap,
}

/// Where `frame` stands for a stream of `session` that has sent up to
/// `sent`.
///
/// A stream that caught up from the database is usually ahead of the hub,
/// which waits out its window before it reads: the hub's next frame then
/// covers numbers on both sides of `sent`. Only a run of counts covers more
/// than one number ([`rembuk_domain::event::Frame`]), and it carries the
/// latest totals, so sending it whole is right. Treating it as a gap
/// would send the stream back to the database, ahead of the hub again,
/// for every frame from then on: one read per connection per frame.
fn fit(frame: &WireFrame, session: SessionId, sent: u64) -> Fit {
    if frame.session != session || frame.last_seq <= sent {
        Fit::Old
    } else if frame.first_seq <= sent + 1 {
        Fit::Next
    } else {
        Fit::Gap
    }
}

/// `first` (the next frame, already checked to follow `sent`: [`Fit::Next`])
/// and the frames of this session already waiting behind it, up to [`DRAIN_MAX`],
/// as one chunk; `sent` moves to the last. True when a waiting frame
/// leaves a gap (or the stream lagged), so the caller catches up from the
/// database. Never waits: what has not arrived yet goes in the next write.
fn drain(
    rx: &mut broadcast::Receiver<Arc<WireFrame>>,
    session: SessionId,
    audience: Audience,
    first: &WireFrame,
    sent: &mut u64,
) -> (Bytes, bool) {
    *sent = first.last_seq;
    let mut joined: Option<Vec<u8>> = None;
    let mut count = 1;
    let mut gap = false;
    while count < DRAIN_MAX {
        match rx.try_recv() {
            Ok(next) => match fit(&next, session, *sent) {
                Fit::Old => {}
                Fit::Next => {
                    let buf = joined.get_or_insert_with(|| first.bytes(audience).to_vec());
                    buf.extend_from_slice(next.bytes(audience));
                    *sent = next.last_seq;
                    count += 1;
                }
                Fit::Gap => {
                    gap = true;
                    break;
                }
            },
            Err(broadcast::error::TryRecvError::Lagged(_)) => {
                gap = true;
                break;
            }
            Err(_) => break,
        }
    }
    let bytes = joined.map_or_else(|| first.bytes(audience).clone(), Bytes::from);
    (bytes, gap)
}

impl Inner {
    fn channels(&self) -> MutexGuard<'_, HashMap<SessionId, broadcast::Sender<Arc<WireFrame>>>> {
        // The map stays consistent whatever a panicking holder did: every
        // change to it is a single insert or remove.
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The channel of `session`, if anyone listens to it.
    fn channel(&self, session: SessionId) -> Option<broadcast::Sender<Arc<WireFrame>>> {
        self.channels().get(&session).cloned()
    }
}

/// One connection's place on its session's channel. The channel is made by
/// the first subscriber and dropped with the last.
struct Subscription {
    /// `None` only while being dropped.
    rx: Option<broadcast::Receiver<Arc<WireFrame>>>,
    session: SessionId,
    inner: Arc<Inner>,
}

impl Subscription {
    fn new(inner: Arc<Inner>, session: SessionId) -> Subscription {
        let rx = inner
            .channels()
            .entry(session)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe();
        inner.subscribers.fetch_add(1, Ordering::Relaxed);
        Subscription {
            rx: Some(rx),
            session,
            inner,
        }
    }

    fn rx(&mut self) -> &mut broadcast::Receiver<Arc<WireFrame>> {
        self.rx
            .as_mut()
            .expect("the receiver is only taken when dropped")
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Our receiver goes first, so whichever of the last subscribers
        // takes the lock last finds none left and removes the channel.
        drop(self.rx.take());
        self.inner.subscribers.fetch_sub(1, Ordering::Relaxed);
        let mut channels = self.inner.channels();
        if channels
            .get(&self.session)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            channels.remove(&self.session);
        }
    }
}

/// The session's last sequence number (0 when it cannot be read: the
/// stream then catches up on its first frame).
async fn last_seq(store: &Store, session: SessionId) -> u64 {
    match store.read().await {
        Ok(mut conn) => sessions::last_seq(&mut conn, session).await.unwrap_or(0),
        Err(_) => 0,
    }
}

/// What a stream that stands at `sent` sends to catch up from the
/// database: the changes after it as frames for `audience`, or a `resync`
/// when more than [`MAX_REPLAY`] were missed. Moves `sent` to where the
/// stream then stands.
async fn catch_up(
    store: &Store,
    session: SessionId,
    audience: Audience,
    sent: &mut u64,
) -> Vec<Bytes> {
    let after = *sent;
    let Ok(mut conn) = store.read().await else {
        return vec![];
    };
    let current = sessions::last_seq(&mut conn, session)
        .await
        .unwrap_or(after);
    if current > after + MAX_REPLAY {
        *sent = current;
        return vec![encode_event(current, &LiveEvent::Resync { seq: current })];
    }
    match events::events_after(&mut conn, session, after, MAX_REPLAY as u32).await {
        Ok(events) => {
            let frames = coalesce(&events);
            if let Some(last) = frames.last() {
                *sent = last.last_seq;
            }
            frames.iter().map(|f| encode_frame(f, audience)).collect()
        }
        Err(e) => {
            tracing::warn!(error = %e, %session, "live catch-up failed");
            vec![]
        }
    }
}

/// The name this process's LISTEN connection shows in PostgreSQL's
/// `pg_stat_activity`.
pub fn listener_name() -> String {
    format!("rembuk-live-{}", std::process::id())
}

/// Feeds changes committed by other instances (through PostgreSQL's
/// LISTEN/NOTIFY) into the hub, for as long as the process runs.
///
/// When the LISTEN connection fails, announcements sent meanwhile are lost,
/// so after every (re)connection the hub is told each session's last
/// committed number: the hub reads whatever it has not sent yet from the
/// `events` table, and nothing committed during the gap is skipped.
async fn listen_to_other_instances(hub: LiveHub) {
    let name = listener_name();
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut listener = match hub.inner.store.listen(&name).await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "live updates from other instances: cannot listen; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        // Listening from here on; now recover what the gap may have lost.
        match hub.inner.store.read().await {
            Ok(mut conn) => match sessions::all_last_seqs(&mut conn).await {
                Ok(seqs) => seqs.into_iter().for_each(|(s, seq)| hub.notify(s, seq)),
                Err(e) => {
                    tracing::warn!(error = %e, "live updates: could not recover after reconnecting")
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "live updates: could not recover after reconnecting")
            }
        }
        tracing::info!("live updates from other instances: listening");
        loop {
            match listener.next(LISTEN_PING).await {
                Ok(Heard::Change(session, seq)) => hub.notify(session, seq),
                Ok(Heard::Quiet) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "live updates from other instances: connection lost; reconnecting");
                    break;
                }
            }
        }
    }
}

/// How long the LISTEN connection may stay silent before it is pinged.
const LISTEN_PING: Duration = Duration::from_secs(15);

/// How long the hub gathers changes of a session before sending them: a
/// quiet session's first change goes out at once; under load, frames go out
/// at most this often, so that a thousand votes a second reach each phone
/// as a handful of messages. The window widens with the audience, because
/// every frame costs one write per connection, and in a storm of changes
/// ([`STORM`]).
pub fn coalesce_window(subscribers: usize) -> Duration {
    Duration::from_millis((subscribers as u64 / 100).clamp(10, 150))
}

/// Changes per [`coalesce_window`] above which a session is in a storm
/// (500 a second at 10,000 phones), and its window doubles, up to
/// [`MAX_WIDEN`] times. Each frame to a large audience costs the server
/// one write per phone whatever it carries, so in a hall-wide burst of
/// votes, frames every window would take the core from the votes
/// themselves; fuller frames a little further apart let it take the
/// votes. Below half that rate the window narrows again, one step a
/// frame. A hall of a hundred phones (a 10 ms window) never gets there.
const STORM: u64 = 50;
/// At most 2² = 4 windows between a session's frames.
const MAX_WIDEN: u8 = 2;

/// The next frame's widening after one that carried `changes` with
/// the window widened `widen` times.
fn widen_after(widen: u8, changes: u64) -> u8 {
    // The rate, as changes per unwidened window.
    let rate = changes >> widen;
    if rate > STORM {
        (widen + 1).min(MAX_WIDEN)
    } else if rate < STORM / 2 {
        widen.saturating_sub(1)
    } else {
        widen
    }
}

struct SessionState {
    emitted: u64,
    known: u64,
    last_flush: Option<Instant>,
    due: Option<Instant>,
    /// How many times the window is doubled, in a storm ([`STORM`]).
    widen: u8,
}

impl SessionState {
    fn window(&self, subscribers: usize) -> Duration {
        coalesce_window(subscribers) * (1 << self.widen)
    }
}

async fn run(
    hub: LiveHub,
    mut rx: mpsc::UnboundedReceiver<(SessionId, u64)>,
    baseline: HashMap<SessionId, u64>,
) {
    let mut state: HashMap<SessionId, SessionState> = baseline
        .into_iter()
        .map(|(id, seq)| {
            (
                id,
                SessionState {
                    emitted: seq,
                    known: seq,
                    last_flush: None,
                    due: None,
                    widen: 0,
                },
            )
        })
        .collect();
    loop {
        let next_due = state.values().filter_map(|s| s.due).min();
        let sleep = async {
            match next_due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            msg = rx.recv() => {
                let Some((session, seq)) = msg else { break };
                let now = Instant::now();
                let st = state.entry(session).or_insert_with(|| SessionState {
                    // A session this hub has not seen (created since it
                    // started, or on another instance): start at this change;
                    // subscribers fill any earlier gap from the database.
                    emitted: seq.saturating_sub(1),
                    known: seq,
                    last_flush: None,
                    due: None,
                    widen: 0,
                });
                let window = st.window(hub.subscriber_count());
                st.known = st.known.max(seq);
                if st.known > st.emitted && st.due.is_none() {
                    st.due = Some(match st.last_flush {
                        Some(last) if now < last + window => last + window,
                        _ => now,
                    });
                }
            }
            () = sleep => {
                let now = Instant::now();
                let due: Vec<SessionId> =
                    state.iter().filter(|(_, s)| s.due.is_some_and(|d| d <= now)).map(|(id, _)| *id).collect();
                for session in due {
                    let Some(st) = state.get_mut(&session) else { continue };
                    flush(&hub, session, st).await;
                }
            }
        }
    }
}

async fn flush(hub: &LiveHub, session: SessionId, st: &mut SessionState) {
    st.due = None;
    st.last_flush = Some(Instant::now());
    let Some(channel) = hub.inner.channel(session) else {
        // Nobody listens: nothing to read or send. Whoever subscribes later
        // reads where the session stands after subscribing, and catches up
        // from the database.
        st.emitted = st.known;
        return;
    };
    let events = hub
        .inner
        .store
        .changes_after(session, st.emitted, BATCH)
        .await;
    let events = match events {
        Ok(events) => events,
        Err(e) => {
            tracing::warn!(error = %e, %session, "live hub could not read changes; retrying");
            st.due = Some(Instant::now() + Duration::from_millis(200));
            return;
        }
    };
    st.widen = widen_after(st.widen, events.len() as u64);
    for frame in coalesce(&events) {
        st.emitted = frame.last_seq;
        let wire = WireFrame {
            session,
            first_seq: frame.first_seq,
            last_seq: frame.last_seq,
            staff: encode_frame(&frame, Audience::Staff),
            public: encode_frame(&frame, Audience::Participant),
        };
        // The last subscriber may just have left: not an error.
        let _ = channel.send(Arc::new(wire));
    }
    st.known = st.known.max(st.emitted);
    if st.known > st.emitted {
        st.due = Some(Instant::now() + st.window(hub.subscriber_count()));
    }
}

fn encode_frame(frame: &Frame, audience: Audience) -> Bytes {
    match audience {
        Audience::Staff => encode_event(frame.last_seq, &frame.staff),
        Audience::Participant => match &frame.public {
            Some(event) => encode_event(frame.last_seq, event),
            // An id with no data: the browser records it as the last event
            // id (so it resumes after it) without dispatching anything.
            None => Bytes::from(format!("id: {}\n\n", frame.last_seq)),
        },
    }
}

/// One SSE message: `id` is the last sequence number it covers.
pub fn encode_event(id: u64, event: &LiveEvent) -> Bytes {
    let json = serde_json::to_string(event).unwrap_or_else(|_| String::from("{}"));
    Bytes::from(format!("id: {id}\ndata: {json}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_grows_with_the_audience_within_bounds() {
        assert_eq!(coalesce_window(0), Duration::from_millis(10));
        assert_eq!(coalesce_window(5_000), Duration::from_millis(50));
        assert_eq!(coalesce_window(100_000), Duration::from_millis(150));
    }

    #[test]
    fn a_storm_of_changes_widens_the_window_and_a_lull_narrows_it() {
        // 10,000 phones: a 100 ms window.
        let base = coalesce_window(10_000);
        let mut st = SessionState {
            emitted: 0,
            known: 0,
            last_flush: None,
            due: None,
            widen: 0,
        };
        assert_eq!(st.window(10_000), base);
        // 200 votes a second: 20 changes a frame, no storm.
        assert_eq!(widen_after(0, 20), 0);
        assert_eq!(widen_after(0, STORM), 0);
        // 2,000 a second: 200 a frame, then 400 in the doubled window.
        st.widen = widen_after(st.widen, 200);
        assert_eq!(st.window(10_000), base * 2);
        st.widen = widen_after(st.widen, 400);
        assert_eq!(st.window(10_000), base * 4);
        st.widen = widen_after(st.widen, 800);
        assert_eq!(st.window(10_000), base * 4, "four windows at most");
        // Back to 200 a second: 80 changes in four windows is 20 a
        // window, so it narrows a step a frame.
        st.widen = widen_after(st.widen, 80);
        assert_eq!(st.window(10_000), base * 2);
        // Within the band between half a storm and a storm it stays.
        assert_eq!(widen_after(1, 2 * STORM), 1);
        assert_eq!(widen_after(1, STORM), 1);
        st.widen = widen_after(st.widen, 40);
        assert_eq!(st.window(10_000), base);
        assert_eq!(widen_after(0, 0), 0);
    }

    fn wire(session: SessionId, first_seq: u64, last_seq: u64) -> Arc<WireFrame> {
        Arc::new(WireFrame {
            session,
            first_seq,
            last_seq,
            staff: Bytes::from(format!("id: {last_seq}\ndata: s\n\n")),
            public: Bytes::from(format!("id: {last_seq}\n\n")),
        })
    }

    /// [`drain`] for a stream of `here` that has sent up to `sent`, handed
    /// the frame `first..=last`: what it writes, whether it found a gap,
    /// and where it then stands.
    fn drain_at(
        rx: &mut broadcast::Receiver<Arc<WireFrame>>,
        here: SessionId,
        audience: Audience,
        mut sent: u64,
        (first, last): (u64, u64),
    ) -> (Bytes, bool, u64) {
        let (bytes, gap) = drain(rx, here, audience, &wire(here, first, last), &mut sent);
        (bytes, gap, sent)
    }

    #[test]
    fn waiting_frames_go_out_in_one_write_and_a_gap_asks_for_a_catch_up() {
        let here = SessionId(uuid::Uuid::from_u128(1));
        let other = SessionId(uuid::Uuid::from_u128(2));
        let (tx, mut rx) = broadcast::channel(16);

        // Nothing waiting: the frame alone.
        assert_eq!(
            drain_at(&mut rx, here, Audience::Staff, 3, (4, 4)),
            (Bytes::from_static(b"id: 4\ndata: s\n\n"), false, 4)
        );

        // Waiting frames of this session join it; others' and old ones are
        // skipped; the participant's form is used for participants.
        for f in [
            wire(here, 6, 7),
            wire(other, 1, 9),
            wire(here, 5, 5),
            wire(here, 8, 8),
        ] {
            tx.send(f).unwrap();
        }
        assert_eq!(
            drain_at(&mut rx, here, Audience::Participant, 4, (5, 5)),
            (Bytes::from_static(b"id: 5\n\nid: 7\n\nid: 8\n\n"), false, 8)
        );

        // A frame that skips a number stops the batch and asks for a
        // catch-up from `sent`.
        tx.send(wire(here, 11, 11)).unwrap();
        assert_eq!(
            drain_at(&mut rx, here, Audience::Staff, 8, (9, 9)),
            (Bytes::from_static(b"id: 9\ndata: s\n\n"), true, 9)
        );

        // So does a receiver that fell behind the channel.
        for n in 0..20 {
            tx.send(wire(here, 10 + n, 10 + n)).unwrap();
        }
        let (_, gap, _) = drain_at(&mut rx, here, Audience::Staff, 9, (10, 10));
        assert!(gap);
    }

    #[test]
    fn a_run_of_counts_around_what_was_sent_goes_out_whole() {
        let here = SessionId(uuid::Uuid::from_u128(1));
        let other = SessionId(uuid::Uuid::from_u128(2));
        // Sent up to 7: from the database, ahead of the hub.
        assert_eq!(fit(&wire(here, 5, 7), here, 7), Fit::Old);
        assert_eq!(fit(&wire(here, 8, 9), here, 7), Fit::Next);
        assert_eq!(fit(&wire(here, 5, 9), here, 7), Fit::Next);
        assert_eq!(fit(&wire(here, 7, 8), here, 7), Fit::Next);
        assert_eq!(fit(&wire(here, 9, 9), here, 7), Fit::Gap);
        assert_eq!(fit(&wire(other, 8, 8), here, 7), Fit::Old);

        // Waiting behind a frame, such a run joins the write, and the
        // stream does not go back to the database.
        let (tx, mut rx) = broadcast::channel(16);
        tx.send(wire(here, 6, 12)).unwrap();
        tx.send(wire(here, 13, 13)).unwrap();
        assert_eq!(
            drain_at(&mut rx, here, Audience::Participant, 7, (5, 9)),
            (
                Bytes::from_static(b"id: 9\n\nid: 12\n\nid: 13\n\n"),
                false,
                13
            )
        );
    }

    #[test]
    fn frames_are_valid_sse() {
        let b = encode_event(7, &LiveEvent::Ready { seq: 7 });
        assert_eq!(&b[..], b"id: 7\ndata: {\"type\":\"ready\",\"seq\":7}\n\n");
    }
}
