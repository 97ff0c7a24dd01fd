//! Serving the app's router on a TCP listener: HTTP/1.1 on hyper, each
//! connection in a task of its own, with graceful shutdown; the live
//! streams without hyper ([`stream`]).
//!
//! This is what `axum::serve` does, less one step: `axum::serve` first
//! reads a connection's opening bytes to tell HTTP/1 from HTTP/2 (which
//! this app, behind its reverse proxy, does not serve), and handing hyper
//! those bytes makes it double its read buffer, to 16 KiB, for the
//! connection's life. A phone holds its live stream open for the whole
//! workshop, so at 10,000 phones that was 80 MB of buffers
//! (`docs/benchmarks.md`). Here hyper keeps its 8 KiB, and a live stream
//! needs none.

mod stream;

use std::{future::Future, io, net::SocketAddr, pin::pin, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{rt::TokioIo, service::TowerToHyperService};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
};
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes; then stops
/// accepting, lets each connection finish the response it is sending, and
/// returns once all are closed. Handlers see the peer's address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let (stop, stopping) = watch::channel(());
    // Every connection's task holds a receiver; `closed` waits for them.
    let (open, held) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    refused(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (router, mut stopping, held) = (router.clone(), stopping.clone(), held.clone());
        tokio::spawn(async move {
            // Until the first bytes come, the shutdown closes the connection.
            let head = tokio::select! {
                head = stream::peek(&tcp) => head,
                _ = stopping.changed() => return,
            };
            let ended = match head {
                Ok(Some(head)) => stream::serve(tcp, head, router, peer).await,
                Ok(None) => http(tcp, router, peer, stopping).await,
                Err(e) => Err(e),
            };
            if let Err(e) = ended {
                tracing::trace!(%peer, error = %e, "connection ended with an error");
            }
            drop(held);
        });
    }
    drop(listener);
    stop.send_replace(());
    drop(held);
    open.closed().await;
}

/// Serves one connection on hyper until it closes, or, once `stopping`
/// changes, until the response under way is sent.
async fn http(
    tcp: TcpStream,
    router: Router,
    peer: SocketAddr,
    mut stopping: watch::Receiver<()>,
) -> io::Result<()> {
    let service = router.map_request(move |mut request: axum::http::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    // Boxed, so that the task of a connection served without hyper is
    // not the size of hyper's.
    let mut connection = Box::pin(
        http1::Builder::new()
            .serve_connection(TokioIo::new(tcp), TowerToHyperService::new(service))
            .with_upgrades(),
    );
    tokio::select! {
        ended = connection.as_mut() => ended,
        _ = stopping.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    }
    .map_err(io::Error::other)
}

/// After a failed `accept`: a connection that was reset before it was
/// taken costs nothing; anything else (too many open files, out of memory)
/// is logged, and the loop waits a second rather than spin on it.
async fn refused(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(error = %e, "cannot accept a connection; trying again in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use std::{net::SocketAddr, time::Duration};

    use axum::{Router, extract::ConnectInfo, routing::get};
    use tokio::{net::TcpListener, sync::oneshot};

    async fn peer(ConnectInfo(peer): ConnectInfo<SocketAddr>) -> String {
        peer.ip().to_string()
    }

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_millis(300)).await;
        "finished"
    }

    #[tokio::test]
    async fn handlers_see_the_peer_and_shutdown_lets_a_response_finish() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/peer", get(peer))
            .route("/slow", get(slow));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(super::serve(listener, router, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::new();

        let seen = client.get(format!("{base}/peer")).send().await.unwrap();
        assert_eq!(seen.text().await.unwrap(), "127.0.0.1");

        // A response under way when the shutdown comes still arrives whole,
        // and the server returns once it has.
        let slow = tokio::spawn({
            let client = client.clone();
            let url = format!("{base}/slow");
            async move { client.get(url).send().await?.text().await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.send(()).unwrap();
        assert_eq!(slow.await.unwrap().unwrap(), "finished");
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server returns after its last response")
            .unwrap();
        assert!(
            reqwest::get(format!("{base}/peer")).await.is_err(),
            "no new connection is taken after the shutdown"
        );
    }
}
