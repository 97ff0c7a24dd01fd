//! SQLite's writer: one task that owns SQLite's writes and gives each
//! write its turn, in the order they asked.
//!
//! SQLite commits one transaction at a time, and each commit appends the
//! pages it changed to the write-ahead log. When a hall votes at once, most
//! of a vote's cost was its own `BEGIN`, `COMMIT` and log pages, and the
//! hand-over of the write connection from one request to the next. Here the
//! writer takes every grouped write waiting in the queue (up to
//! [`MAX_GROUP`]), runs each in a savepoint of one transaction, and commits
//! them together: a write that fails rolls back to its savepoint alone, and
//! nobody hears "done" before the commit that makes it durable. Grouped
//! writes run straight on SQLite's handle ([`super::direct`]), a group's
//! statements on the writer's task without a trip to sqlx's thread each.
//!
//! Every other write ([`super::Store::write`]) waits in the same queue and
//! borrows the writer's sqlx connection for a transaction of its own. The
//! writer keeps that connection between turns: handing it back to sqlx's
//! pool would cost a round trip to SQLite's thread each time (the pool
//! pings a connection it takes back), and another to take it out again.
//! The two connections write only in their turns, one transaction at a
//! time, so neither ever waits for the other's lock.
//!
//! PostgreSQL has many connections and row locks, so there each write runs
//! in a transaction of its own.

use std::time::Duration;

use sqlx::{AnyConnection, AnyPool, Executor, pool::PoolConnection};
use tokio::sync::{mpsc, oneshot};

use super::{StorageError, direct::Direct};

/// Most writes one transaction carries: enough to absorb a burst, few
/// enough that the first of them does not wait long for the commit.
pub const MAX_GROUP: usize = 128;

/// Tells one caller the outcome: `Ok` when the group committed.
type Reply = Box<dyn FnOnce(std::result::Result<(), &StorageError>) + Send>;

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

/// How a grouped write's caller hears its outcome: `skip` when the write
/// never ran (and why), or the reply made from its result once the group's
/// commit is known; whichever comes first answers.
#[allow(clippy::type_complexity)]
fn answers<T, E>() -> (
    Reply,
    impl FnOnce(std::result::Result<T, E>) -> Reply + Send + 'static,
    oneshot::Receiver<std::result::Result<T, E>>,
)
where
    T: Send + 'static,
    E: From<StorageError> + Send + 'static,
{
    let (tell, heard) = oneshot::channel::<std::result::Result<T, E>>();
    let tell = std::sync::Arc::new(std::sync::Mutex::new(Some(tell)));
    let answer = |tell: &std::sync::Mutex<Option<oneshot::Sender<_>>>, outcome| {
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
    let reply = move |result: std::result::Result<T, E>| -> Reply {
        Box::new(move |committed| {
            let outcome = match committed {
                Ok(()) => result,
                // Not committed: whatever it did is undone.
                Err(e) => Err(E::from(not_committed(e))),
            };
            answer(&tell, outcome);
        })
    };
    (skip, reply, heard)
}

/// How long [`Writer::lend`] waits for its turn before it gives up, as
/// sqlx's pool waited for a free connection before the writer lent it.
const LEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What a write straight on SQLite's handle does, in its savepoint of the
/// group's transaction; it says whether to keep what it did, and how to
/// tell its caller once the group's commit is known.
type Work = Box<dyn FnOnce(&rusqlite::Connection) -> (bool, Reply) + Send>;

/// A write waiting for its group.
struct Grouped {
    work: Work,
    /// Tells the caller that its write never ran, and why (no connection,
    /// the transaction could not begin, an earlier statement of the group
    /// failed).
    skip: Reply,
}

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
    pub(super) fn start(writes: AnyPool, url: String) -> Writer {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(writes, url, rx));
        Writer { queue }
    }

    /// Runs `work` straight on SQLite's handle ([`super::direct`]), in a
    /// savepoint of the next group's transaction, and returns its result
    /// once the group has committed. `work` says whether to keep what it
    /// did: an `Err`, or `false`, undoes it, and only it.
    pub(super) async fn write<T, E, F>(&self, work: F) -> std::result::Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> (bool, std::result::Result<T, E>) + Send + 'static,
    {
        let (skip, reply, heard) = answers::<T, E>();
        let span = tracing::Span::current();
        let work: Work = Box::new(move |db| {
            let (keep, result) = span.in_scope(|| work(db));
            (keep && result.is_ok(), reply(result))
        });
        self.send(Job::Grouped(Grouped { work, skip }), heard).await
    }

    /// Queues `job` and waits for its answer.
    async fn send<T, E: From<StorageError>>(
        &self,
        job: Job,
        heard: oneshot::Receiver<std::result::Result<T, E>>,
    ) -> std::result::Result<T, E> {
        if self.queue.send(job).is_err() {
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

async fn run(writes: AnyPool, url: String, mut rx: mpsc::UnboundedReceiver<Job>) {
    // Kept between turns; taken from the pool when there is none.
    let mut held: Option<PoolConnection<sqlx::Any>> = None;
    // The connection for writes on SQLite's handle, opened at the first.
    // Both connections write only in the writer's turns, one transaction
    // at a time, so they never wait for each other's lock.
    let mut direct: Option<Direct> = None;
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
                if let Some(direct) = direct.take() {
                    direct.close().await;
                }
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
                // A group runs on this task, and keeps the requests that
                // carry the next writes waiting while it runs: let those
                // that are ready hand theirs in first, to come along.
                tokio::task::yield_now().await;
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
                direct = commit_group(&url, direct.take(), group).await;
                continue;
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

/// Runs `group` on SQLite's handle in one transaction, each write in a
/// savepoint of its own, and tells every caller the outcome. Returns the
/// connection to keep (`None`: it failed, and the next group opens a new
/// one).
async fn commit_group(url: &str, held: Option<Direct>, group: Vec<Grouped>) -> Option<Direct> {
    let mut conn = match held {
        Some(conn) => conn,
        None => match Direct::open(url).await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::error!(error = %e, "no connection for writes");
                for job in group {
                    (job.skip)(Err(&e));
                }
                return None;
            }
        },
    };
    let mut replies: Vec<Reply> = Vec::with_capacity(group.len());
    let mut unrun = group.into_iter();
    let ran = conn
        .run(|db| {
            let outcome = run_group(db, &mut unrun, &mut replies);
            if outcome.is_err() {
                // Nothing of the group stays; when even the rollback fails
                // the connection goes.
                return (
                    outcome,
                    db.execute_batch("ROLLBACK").is_ok() || db.is_autocommit(),
                );
            }
            (outcome, true)
        })
        .await;
    let (outcome, clean) = match ran {
        Ok(ran) => ran,
        // sqlx's thread is gone: nothing ran.
        Err(e) => (Err(e), false),
    };
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
    if clean {
        Some(conn)
    } else {
        conn.close().await;
        None
    }
}

/// The group's transaction: each write of `unrun` in turn, its reply kept
/// in `replies` for when the commit is known.
fn run_group(
    db: &rusqlite::Connection,
    unrun: &mut std::vec::IntoIter<Grouped>,
    replies: &mut Vec<Reply>,
) -> Result<(), StorageError> {
    // Prepared once and kept, as the votes' own statements are.
    let sql = |db: &rusqlite::Connection, sql: &str| {
        db.prepare_cached(sql)
            .and_then(|mut statement| statement.execute([]))
            .map_err(StorageError::Sqlite)
    };
    sql(db, "BEGIN IMMEDIATE")?;
    for job in unrun.by_ref() {
        if let Err(e) = sql(db, "SAVEPOINT grouped") {
            (job.skip)(Err(&e));
            return Err(e);
        }
        // A write that panics is undone and its caller told so; the
        // others in its group go on.
        let work = job.work;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(db))) {
            Ok((keep, reply)) => {
                replies.push(reply);
                if !keep {
                    sql(db, "ROLLBACK TO grouped")?;
                }
            }
            Err(_) => {
                sql(db, "ROLLBACK TO grouped")?;
                (job.skip)(Err(&StorageError::Commit(
                    "the write was interrupted".into(),
                )));
            }
        }
        sql(db, "RELEASE grouped")?;
    }
    sql(db, "COMMIT")?;
    Ok(())
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
        let writer = store.group.clone().expect("SQLite has a writer");
        tokio::spawn(async move {
            writer
                .write(move |db| {
                    let result = db
                        .execute("INSERT INTO rows (n) VALUES (?1)", [n])
                        .map(|_| n)
                        .map_err(StorageError::Sqlite);
                    match then {
                        "fail" => (true, Err(StorageError::Corrupt("refused".into()))),
                        "undo" => (false, result),
                        "panic" => panic!("a write that panics"),
                        _ => (true, result),
                    }
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
    async fn a_write_that_panics_is_undone_alone_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_table(dir.path()).await;

        assert_eq!(insert(&store, 1, "commit").await.unwrap().unwrap(), 1);
        // While a plain writer has the connection, 2–6 queue and then go
        // together, with the one that panics.
        let first = store.write().await.unwrap();
        let group: Vec<_> = (2..=6)
            .map(|n| {
                (
                    n,
                    insert(&store, n, if n == 4 { "panic" } else { "commit" }),
                )
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        first.rollback().await.unwrap();

        // The caller whose write panicked hears that it did not commit;
        // the others' writes stand.
        for (n, write) in group {
            let result = write.await.unwrap();
            if n == 4 {
                assert!(matches!(result, Err(StorageError::Commit(_))), "{result:?}");
            } else {
                assert_eq!(result.unwrap(), n);
            }
        }
        assert_eq!(rows(&store).await, vec![1, 2, 3, 5, 6]);

        // The writer still takes writes.
        assert_eq!(insert(&store, 10, "commit").await.unwrap().unwrap(), 10);
        assert_eq!(rows(&store).await, vec![1, 2, 3, 5, 6, 10]);
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
