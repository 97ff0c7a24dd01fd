//! SQLite's writer: one task that owns the one connection for writes and
//! hands it to each write in turn.
//!
//! SQLite commits one transaction at a time, and each commit appends the
//! pages it changed to the write-ahead log. When a hall votes at once, most
//! of a vote's cost was its own `BEGIN`, `COMMIT` and log pages, and the
//! hand-over of the write connection from one request to the next. Here the
//! writer takes every grouped write waiting in the queue (up to
//! [`MAX_GROUP`]), runs each in a savepoint of one transaction, and commits
//! them together: a write that fails rolls back to its savepoint alone, and
//! nobody hears "done" before the commit that makes it durable.
//!
//! Every other write ([`super::Store::write`]) waits in the same queue and
//! borrows the connection for a transaction of its own, so writes of both
//! kinds take their turns in the order they asked. The writer keeps the
//! connection between turns: handing it back to sqlx's pool would cost a
//! round trip to SQLite's thread each time (the pool pings a connection it
//! takes back), and another to take it out again.
//!
//! PostgreSQL has many connections and row locks, so there each write runs
//! in a transaction of its own, through the same calls.

use std::{future::Future, pin::Pin, time::Duration};

use sqlx::{AnyConnection, AnyPool, Executor, pool::PoolConnection};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::{StorageError, Tx};

/// Most writes one transaction carries: enough to absorb a burst, few
/// enough that the first of them does not wait long for the commit.
pub const MAX_GROUP: usize = 128;

/// A write running inside a shared transaction, in a savepoint of its own.
/// It cannot commit or roll back: the writer does that for the group.
pub struct SharedTx {
    tx: Tx,
    undo: bool,
}

impl SharedTx {
    fn new(tx: Tx) -> SharedTx {
        SharedTx { tx, undo: false }
    }

    /// Undoes what this write did even though it succeeds: for a write
    /// that turns out to change nothing after it took a number.
    pub fn undo(&mut self) {
        self.undo = true;
    }

    /// The connection inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.tx.conn()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What a write does with the transaction; it hands the transaction back
/// with whether it succeeded and how to tell its caller once the group's
/// commit is known.
type Work = Box<dyn FnOnce(SharedTx) -> BoxFuture<(SharedTx, bool, Reply)> + Send>;
/// Tells one caller the outcome: `Ok` when the group committed.
type Reply = Box<dyn FnOnce(std::result::Result<(), &StorageError>) + Send>;

/// A write waiting for its group.
struct Grouped {
    work: Work,
    /// Tells the caller that its write never ran, and why (no connection,
    /// the transaction could not begin, an earlier statement of the group
    /// failed).
    skip: Reply,
}

/// What the caller of a write that did not commit hears: the database's
/// error in words, and whether it was only busy ([`StorageError::Busy`],
/// which asks the client to send the write again).
fn not_committed(e: &StorageError) -> StorageError {
    if e.is_transient() {
        StorageError::Busy(e.to_string())
    } else {
        StorageError::Commit(e.to_string())
    }
}

/// How long [`Writer::lend`] waits for its turn before it gives up, as
/// sqlx's pool waited for a free connection before the writer lent it.
const LEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What waits in the writer's queue.
enum Job {
    /// A write to run in the next group.
    Grouped(Grouped),
    /// A caller that wants the connection for a transaction of its own.
    Lend(oneshot::Sender<Result<Lent, StorageError>>),
    /// [`super::Store::close`]: give the connection back to the pool, and
    /// stop.
    Stop(oneshot::Sender<()>),
}

/// The connection for writes, lent out by the writer until it comes back.
/// Dropped without [`Lent::finish`] (a caller that returned early, a
/// request cancelled mid-query, a write that panicked), it goes back marked
/// open, and the writer rolls it back before anyone else gets it.
pub(super) struct Lent {
    conn: Option<PoolConnection<sqlx::Any>>,
    back: Option<oneshot::Sender<Returned>>,
    /// Whether a transaction may be open on it.
    open: bool,
}

/// The connection coming back to the writer.
struct Returned {
    conn: PoolConnection<sqlx::Any>,
    open: bool,
}

impl Lent {
    fn new(conn: PoolConnection<sqlx::Any>, back: oneshot::Sender<Returned>) -> Lent {
        Lent {
            conn: Some(conn),
            back: Some(back),
            open: false,
        }
    }

    /// The connection.
    pub(super) fn conn(&mut self) -> &mut AnyConnection {
        // Both are taken only in `drop`.
        self.conn
            .as_deref_mut()
            .expect("a lent connection until dropped")
    }

    /// Opens the transaction with `sql` (`BEGIN IMMEDIATE`, …).
    pub(super) async fn begin(&mut self, sql: &'static str) -> Result<(), StorageError> {
        // Marked first: if the statement reached SQLite and then failed or
        // was cancelled, the writer's rollback makes sure nothing is left.
        self.open = true;
        self.conn().execute(sql).await?;
        Ok(())
    }

    /// Ends the transaction with `sql` (`COMMIT` or `ROLLBACK`) and gives
    /// the connection back. On an error the transaction counts as still
    /// open, and the writer rolls it back.
    pub(super) async fn finish(mut self, sql: &'static str) -> Result<(), StorageError> {
        self.conn().execute(sql).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let (Some(conn), Some(back)) = (self.conn.take(), self.back.take()) {
            // The writer waits for it; if the writer is gone, the
            // connection drops back into the pool, which rolls it back.
            let _ = back.send(Returned {
                conn,
                open: self.open,
            });
        }
    }
}

/// The queue in front of SQLite's writer.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Starts the writer task on `writes`, the pool that holds the one
    /// connection for writes. It ends on [`Writer::stop`] or when every
    /// [`Writer`] is dropped.
    pub(super) fn start(writes: AnyPool) -> Writer {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(writes, rx));
        Writer { queue }
    }

    /// Runs `work` in the next group and returns its result once the group
    /// has committed (or its error, with the write undone).
    pub(super) async fn write<T, E, F, Fut>(&self, work: F) -> std::result::Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(SharedTx) -> Fut + Send + 'static,
        Fut: Future<Output = (SharedTx, std::result::Result<T, E>)> + Send + 'static,
    {
        let (tell, heard) = oneshot::channel::<std::result::Result<T, E>>();
        // Either the work answers (once the group's commit is known) or,
        // when it never runs, the skip does: whichever comes first takes it.
        let tell = std::sync::Arc::new(std::sync::Mutex::new(Some(tell)));
        let answer = move |tell: &std::sync::Mutex<Option<oneshot::Sender<_>>>, outcome| {
            let taken = tell
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            if let Some(tell) = taken {
                let _ = tell.send(outcome);
            }
        };
        let skipped = tell.clone();
        let skip: Reply = Box::new(move |committed| {
            if let Err(e) = committed {
                answer(&skipped, Err(E::from(not_committed(e))));
            }
        });
        // The work runs on the writer's task, but logs as part of the
        // request that asked for it (its card, its session).
        let span = tracing::Span::current();
        let work: Work = Box::new(move |tx| {
            Box::pin(
                async move {
                    let (tx, result) = work(tx).await;
                    let ok = result.is_ok() && !tx.undo;
                    let reply: Reply = Box::new(move |committed| {
                        let outcome = match committed {
                            Ok(()) => result,
                            // Not committed: whatever it did is undone.
                            Err(e) => Err(E::from(not_committed(e))),
                        };
                        answer(&tell, outcome);
                    });
                    (tx, ok, reply)
                }
                .instrument(span),
            )
        });
        if self
            .queue
            .send(Job::Grouped(Grouped { work, skip }))
            .is_err()
        {
            return Err(E::from(stopped()));
        }
        match heard.await {
            Ok(outcome) => outcome,
            // The group's task ended without an answer (it panicked): its
            // transaction was rolled back, so nothing of it was committed.
            Err(_) => Err(E::from(StorageError::Commit(
                "the write was interrupted".into(),
            ))),
        }
    }

    /// The connection for a transaction of the caller's own, when its turn
    /// comes.
    pub(super) async fn lend(&self) -> Result<Lent, StorageError> {
        let (tell, heard) = oneshot::channel();
        self.queue.send(Job::Lend(tell)).map_err(|_| stopped())?;
        match tokio::time::timeout(LEND_TIMEOUT, heard).await {
            Ok(Ok(lent)) => lent,
            Ok(Err(_)) => Err(stopped()),
            // The writer finds the caller gone when the turn comes, and
            // takes the connection straight back.
            Err(_) => Err(StorageError::Database(sqlx::Error::PoolTimedOut)),
        }
    }

    /// Gives the connection back to its pool, once the writes queued before
    /// this call are done, and stops the writer: later writes fail.
    pub(super) async fn stop(&self) {
        let (tell, heard) = oneshot::channel();
        if self.queue.send(Job::Stop(tell)).is_ok() {
            let _ = heard.await;
        }
    }
}

fn stopped() -> StorageError {
    StorageError::Commit("the writer has stopped".into())
}

async fn run(writes: AnyPool, mut rx: mpsc::UnboundedReceiver<Job>) {
    // Kept between turns; taken from the pool when there is none.
    let mut held: Option<PoolConnection<sqlx::Any>> = None;
    // A job found while gathering a group, which is not part of it.
    let mut next: Option<Job> = None;
    loop {
        let job = match next.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        let (back, returned) = oneshot::channel();
        match job {
            Job::Stop(done) => {
                drop(held.take());
                let _ = done.send(());
                return;
            }
            Job::Lend(tell) => {
                let lent = connection(&writes, held.take())
                    .await
                    .map(|conn| Lent::new(conn, back));
                // A caller that stopped waiting drops the answer, and with
                // it the connection, which comes straight back.
                let _ = tell.send(lent);
            }
            Job::Grouped(first) => {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match rx.try_recv() {
                        Ok(Job::Grouped(work)) => group.push(work),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                match connection(&writes, held.take()).await {
                    // A group of its own task: a write that panics loses
                    // its group (whose callers hear so), not the writer.
                    Ok(conn) => {
                        tokio::spawn(commit_group(Lent::new(conn, back), group));
                    }
                    // Without a connection the group does not run, and its
                    // callers hear why.
                    Err(e) => {
                        for job in group {
                            (job.skip)(Err(&e));
                        }
                    }
                }
            }
        }
        // Whoever has it gives it back by dropping it, whatever happened.
        if let Ok(Returned { conn, open }) = returned.await {
            held = settle(conn, open).await;
        }
    }
}

/// The connection the writer holds, or else one from the pool.
async fn connection(
    writes: &AnyPool,
    held: Option<PoolConnection<sqlx::Any>>,
) -> Result<PoolConnection<sqlx::Any>, StorageError> {
    match held {
        Some(conn) => Ok(conn),
        None => writes.acquire().await.map_err(|error| {
            tracing::error!(%error, "no connection for writes");
            StorageError::Database(error)
        }),
    }
}

/// A connection back from its turn, rolled back if its transaction may
/// still be open; `None` (closed, and a fresh one next time) if even that
/// fails.
async fn settle(
    mut conn: PoolConnection<sqlx::Any>,
    open: bool,
) -> Option<PoolConnection<sqlx::Any>> {
    if !open {
        return Some(conn);
    }
    match conn.execute("ROLLBACK").await {
        Ok(_) => Some(conn),
        Err(error) => {
            // Most often there was nothing to roll back (the BEGIN never
            // ran). A new connection is the sure way to a clean state.
            tracing::warn!(%error, "closing the write connection after a failed rollback");
            let _ = conn.close().await;
            None
        }
    }
}

async fn commit_group(lent: Lent, group: Vec<Grouped>) {
    let mut replies: Vec<Reply> = Vec::with_capacity(group.len());
    let mut unrun = group.into_iter();
    let outcome = async {
        // Each statement string is one round trip to SQLite's thread: the
        // first write's savepoint opens with the transaction, each later
        // one's as the last one's is released, and the commit releases the
        // last.
        let mut tx = SharedTx::new(Tx::lent(lent, "BEGIN IMMEDIATE; SAVEPOINT grouped").await?);
        for job in unrun.by_ref() {
            tx.undo = false;
            if !replies.is_empty()
                && let Err(e) = tx
                    .conn()
                    .execute("RELEASE grouped; SAVEPOINT grouped")
                    .await
            {
                let e = StorageError::from(e);
                (job.skip)(Err(&e));
                return Err(e);
            }
            let (back, ok, reply) = (job.work)(tx).await;
            tx = back;
            replies.push(reply);
            if !ok {
                tx.conn().execute("ROLLBACK TO grouped").await?;
            }
        }
        tx.tx.commit().await
    }
    .await;
    for reply in replies {
        reply(outcome.as_ref().map(|_| ()));
    }
    // The writes after a failed statement (or all of them, when the
    // transaction could not begin) never ran.
    if let Err(e) = &outcome {
        for job in unrun {
            (job.skip)(Err(e));
        }
    }
}

/// PostgreSQL (and any store without a group writer): the write in a
/// transaction of its own.
pub(super) async fn write_alone<T, E, F, Fut>(tx: Tx, work: F) -> std::result::Result<T, E>
where
    E: From<StorageError>,
    F: FnOnce(SharedTx) -> Fut,
    Fut: Future<Output = (SharedTx, std::result::Result<T, E>)>,
{
    let (tx, result) = work(SharedTx::new(tx)).await;
    match result {
        Ok(value) if tx.undo => {
            tx.tx.rollback().await?;
            Ok(value)
        }
        Ok(value) => {
            tx.tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            tx.tx.rollback().await?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Store;
    use super::*;

    async fn store_with_table(dir: &std::path::Path) -> Store {
        let store = Store::connect(&format!("sqlite://{}", dir.join("g.db").display()))
            .await
            .unwrap();
        let mut tx = store.write().await.unwrap();
        sqlx::query("CREATE TABLE rows (n INTEGER NOT NULL)")
            .execute(tx.conn())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store
    }

    /// One grouped write: inserts `n`; then fails, undoes itself or panics
    /// as asked.
    fn insert(
        store: &Store,
        n: i64,
        then: &'static str,
    ) -> tokio::task::JoinHandle<std::result::Result<i64, StorageError>> {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .write_grouped(move |mut tx| async move {
                    let result = sqlx::query("INSERT INTO rows (n) VALUES ($1)")
                        .bind(n)
                        .execute(tx.conn())
                        .await
                        .map(|_| n)
                        .map_err(StorageError::from);
                    let result = match then {
                        "fail" => Err(StorageError::Corrupt("refused".into())),
                        "undo" => {
                            tx.undo();
                            result
                        }
                        "panic" => panic!("a write that panics"),
                        _ => result,
                    };
                    (tx, result)
                })
                .await
        })
    }

    async fn rows(store: &Store) -> Vec<i64> {
        let mut conn = store.read().await.unwrap();
        sqlx::query_scalar("SELECT n FROM rows ORDER BY n")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn waiting_writes_commit_together_and_a_failed_one_undoes_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        // A plain writer holds the lock while writes queue behind it.
        let first = store.write().await.unwrap();
        let mut writes = vec![];
        for n in 1..=20 {
            // The first and the last fail too: the first's savepoint opens
            // with the transaction, and the commit after the last's
            // rollback keeps the others.
            let then = match n {
                1 | 7 | 20 => "fail",
                9 => "undo",
                _ => "commit",
            };
            writes.push((n, insert(&store, n, then)));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(rows(&store).await, Vec::<i64>::new());
        first.rollback().await.unwrap();

        for (n, write) in writes {
            let result = write.await.unwrap();
            match n {
                1 | 7 | 20 => assert!(matches!(result, Err(StorageError::Corrupt(_)))),
                _ => assert_eq!(result.unwrap(), n),
            }
        }
        // Every write's "done" came after its commit; the failed and the
        // undone ones left nothing.
        let expected: Vec<i64> = (1..=20).filter(|n| ![1, 7, 9, 20].contains(n)).collect();
        assert_eq!(rows(&store).await, expected);
    }

    #[tokio::test]
    async fn a_write_that_panics_loses_its_group_but_not_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        assert_eq!(insert(&store, 1, "commit").await.unwrap().unwrap(), 1);
        // While a plain writer has the connection, 2–6 queue and then go
        // together, with the one that panics.
        let first = store.write().await.unwrap();
        let group: Vec<_> = (2..=6)
            .map(|n| insert(&store, n, if n == 4 { "panic" } else { "commit" }))
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        first.rollback().await.unwrap();

        // Every caller of the group, the one whose write panicked too, hears
        // that its write did not commit.
        for write in group {
            let result = write.await.unwrap();
            assert!(matches!(result, Err(StorageError::Commit(_))), "{result:?}");
        }
        assert_eq!(rows(&store).await, vec![1]);

        // The writer still takes writes.
        assert_eq!(insert(&store, 10, "commit").await.unwrap().unwrap(), 10);
        assert_eq!(rows(&store).await, vec![1, 10]);
    }

    /// A plain write: inserts `n` in a transaction of its own.
    async fn insert_alone(store: &Store, n: i64) -> Result<(), StorageError> {
        let mut tx = store.write().await?;
        sqlx::query("INSERT INTO rows (n) VALUES ($1)")
            .bind(n)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    #[tokio::test]
    async fn plain_and_grouped_writes_take_turns_in_the_order_they_asked() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        let first = store.write().await.unwrap();
        // Queued while the connection is out: grouped 1–2, a plain write
        // of 3, grouped 4–5. The plain one may not jump the queue, and the
        // groups may not swallow it.
        let one = insert(&store, 1, "commit");
        let two = insert(&store, 2, "commit");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let plain = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.write().await?;
                // What this transaction sees is the order of the turns.
                let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rows")
                    .fetch_one(tx.conn())
                    .await?;
                sqlx::query("INSERT INTO rows (n) VALUES (3)")
                    .execute(tx.conn())
                    .await?;
                tx.commit().await?;
                Ok::<_, StorageError>(seen)
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let four = insert(&store, 4, "commit");
        let five = insert(&store, 5, "commit");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(rows(&store).await, Vec::<i64>::new());
        first.commit().await.unwrap();

        for (n, write) in [(1, one), (2, two), (4, four), (5, five)] {
            assert_eq!(write.await.unwrap().unwrap(), n);
        }
        assert_eq!(
            plain.await.unwrap().unwrap(),
            2,
            "the plain write came after 1–2"
        );
        assert_eq!(rows(&store).await, vec![1, 2, 3, 4, 5]);
    }

    #[tokio::test]
    async fn a_transaction_dropped_or_cancelled_midway_leaves_nothing_and_frees_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        // Dropped after a write, without commit.
        let mut tx = store.write().await.unwrap();
        sqlx::query("INSERT INTO rows (n) VALUES (1)")
            .execute(tx.conn())
            .await
            .unwrap();
        drop(tx);

        // Cancelled while its statement runs: a request whose phone went
        // away. The statement may still reach SQLite; its transaction must
        // not survive.
        let cancelled = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.write().await.unwrap();
                sqlx::query(
                    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
                     INSERT INTO rows (n) SELECT 2 FROM c WHERE x = 1000000",
                )
                .execute(tx.conn())
                .await
                .unwrap();
                tx.commit().await.unwrap();
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        cancelled.abort();
        assert!(cancelled.await.unwrap_err().is_cancelled());

        // A transaction ended behind the writer's back: its rollback fails,
        // and the writer starts afresh on a new connection.
        let mut tx = store.write().await.unwrap();
        tx.conn().execute("COMMIT").await.unwrap();
        drop(tx);

        insert_alone(&store, 3).await.unwrap();
        assert_eq!(insert(&store, 4, "commit").await.unwrap().unwrap(), 4);
        assert_eq!(rows(&store).await, vec![3, 4]);
    }

    #[tokio::test]
    async fn a_writer_that_gave_up_waiting_does_not_keep_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        let first = store.write().await.unwrap();
        let impatient = tokio::time::timeout(Duration::from_millis(50), store.write()).await;
        assert!(impatient.is_err(), "no turn while the first holds it");
        first.rollback().await.unwrap();

        // The impatient caller's turn comes and finds nobody: the connection
        // goes straight on to the next.
        insert_alone(&store, 1).await.unwrap();
        assert_eq!(rows(&store).await, vec![1]);
    }

    #[tokio::test]
    async fn closing_waits_for_queued_writes_and_refuses_later_ones() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        let first = store.write().await.unwrap();
        let queued = insert(&store, 1, "commit");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let closing = {
            let store = store.clone();
            tokio::spawn(async move { store.close().await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        first.commit().await.unwrap();
        closing.await.unwrap();

        assert_eq!(queued.await.unwrap().unwrap(), 1, "queued before the close");
        assert!(matches!(
            insert(&store, 2, "commit").await.unwrap(),
            Err(StorageError::Commit(_))
        ));
        assert!(store.write().await.is_err());
    }
}
