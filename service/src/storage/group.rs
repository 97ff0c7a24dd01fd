//! Group commit: writes that wait for SQLite's one writer share a
//! transaction.
//!
//! SQLite commits one transaction at a time, and each commit appends the
//! pages it changed to the write-ahead log. When a hall votes at once, most
//! of a vote's cost was its own `BEGIN`, `COMMIT` and log pages, and the
//! hand-over of the write connection from one request to the next. Here one
//! writer task takes every write waiting in the queue (up to [`MAX_GROUP`]),
//! runs each in a savepoint of one transaction, and commits them together:
//! a write that fails rolls back to its savepoint alone, and nobody hears
//! "done" before the commit that makes it durable.
//!
//! PostgreSQL has many connections and row locks, so there each write runs
//! in a transaction of its own, through the same call.

use std::{future::Future, pin::Pin};

use sqlx::{AnyConnection, AnyPool, Executor};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::{Backend, StorageError, Tx};

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

/// The queue in front of SQLite's writer.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::UnboundedSender<Work>,
}

impl Writer {
    /// Starts the writer task on `writes`, the one connection for writes.
    /// It ends when every [`Writer`] is dropped.
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
        // The work runs on the writer's task, but logs as part of the
        // request that asked for it (its card, its session).
        let span = tracing::Span::current();
        let job: Work = Box::new(move |tx| {
            Box::pin(
                async move {
                    let (tx, result) = work(tx).await;
                    let ok = result.is_ok() && !tx.undo;
                    let reply: Reply = Box::new(move |committed| {
                        let outcome = match committed {
                            Ok(()) => result,
                            // Not committed: whatever it did is undone.
                            Err(e) => Err(E::from(StorageError::Commit(e.to_string()))),
                        };
                        let _ = tell.send(outcome);
                    });
                    (tx, ok, reply)
                }
                .instrument(span),
            )
        });
        if self.queue.send(job).is_err() {
            return Err(E::from(StorageError::Commit(
                "the writer has stopped".into(),
            )));
        }
        match heard.await {
            Ok(outcome) => outcome,
            // The group's task ended without an answer (it panicked): its
            // transaction was dropped, so nothing of it was committed.
            Err(_) => Err(E::from(StorageError::Commit(
                "the write was interrupted".into(),
            ))),
        }
    }
}

async fn run(writes: AnyPool, mut rx: mpsc::UnboundedReceiver<Work>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(work) => group.push(work),
                Err(_) => break,
            }
        }
        // A group of its own task: a write that panics loses its group
        // (whose callers hear so), not the writer.
        let _ = tokio::spawn(commit_group(writes.clone(), group)).await;
    }
}

async fn commit_group(writes: AnyPool, group: Vec<Work>) {
    let mut replies: Vec<Reply> = Vec::with_capacity(group.len());
    let outcome = async {
        // Each statement string is one round trip to SQLite's thread: the
        // first write's savepoint opens with the transaction, each later
        // one's as the last one's is released, and the commit releases the
        // last.
        let mut tx = SharedTx::new(Tx {
            inner: writes
                .begin_with("BEGIN IMMEDIATE; SAVEPOINT grouped")
                .await?,
            backend: Backend::Sqlite,
        });
        for work in group {
            tx.undo = false;
            if !replies.is_empty() {
                tx.conn()
                    .execute("RELEASE grouped; SAVEPOINT grouped")
                    .await?;
            }
            let (back, ok, reply) = work(tx).await;
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
    use std::time::Duration;

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

        let first = store.write().await.unwrap();
        // The writer takes write 1 alone and waits for the lock; 2–6 queue
        // behind it and go together, with the one that panics.
        let one = insert(&store, 1, "commit");
        tokio::time::sleep(Duration::from_millis(100)).await;
        let group: Vec<_> = (2..=6)
            .map(|n| insert(&store, n, if n == 4 { "panic" } else { "commit" }))
            .collect();
        tokio::time::sleep(Duration::from_millis(100)).await;
        first.rollback().await.unwrap();

        assert_eq!(one.await.unwrap().unwrap(), 1);
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
}
