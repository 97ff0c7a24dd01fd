//! Response compression (brotli or gzip, as the client accepts), except
//! for the live streams.
//!
//! An event stream is never compressed anyway (each event must leave as it
//! happens), but `tower_http`'s compressed body keeps room for every
//! encoder's state inline, and an open stream holds its body for hours. So
//! the live streams bypass the layer entirely: at 10,000 phones that is
//! several KiB less per connection (see `docs/benchmarks.md`).

use std::{
    convert::Infallible,
    task::{Context, Poll},
};

use axum::{body::Body, extract::Request, response::Response};
use futures::future::{Either, FutureExt, Map};
use tower::{Layer, Service};
use tower_http::compression::{
    Compression, CompressionBody, CompressionLayer, DefaultPredicate, ResponseFuture,
};

/// Whether `path` is a session's live stream, `/api/v1/sessions/{id}/events`.
pub fn is_live_stream(path: &str) -> bool {
    path.strip_prefix("/api/v1/sessions/")
        .and_then(|rest| rest.strip_suffix("/events"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
}

/// [`CompressionLayer`] for everything but the live streams.
#[derive(Clone, Copy, Debug, Default)]
pub struct CompressLayer;

impl<S> Layer<S> for CompressLayer {
    type Service = Compress<S>;

    fn layer(&self, inner: S) -> Compress<S> {
        Compress(CompressionLayer::new().layer(inner))
    }
}

/// See [`CompressLayer`].
#[derive(Clone)]
pub struct Compress<S>(Compression<S>);

type Compressed = Result<Response<CompressionBody<Body>>, Infallible>;

impl<S> Service<Request> for Compress<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<
        S::Future,
        Map<
            ResponseFuture<S::Future, DefaultPredicate>,
            fn(Compressed) -> Result<Response, Infallible>,
        >,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Readiness is the wrapped service's, whichever way the call goes.
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if is_live_stream(request.uri().path()) {
            Either::Left(self.0.get_mut().call(request))
        } else {
            let boxed: fn(Compressed) -> Result<Response, Infallible> =
                |r| r.map(|response| response.map(Body::new));
            Either::Right(self.0.call(request).map(boxed))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_live_stream;

    #[test]
    fn only_a_sessions_event_stream_is_a_live_stream() {
        assert!(is_live_stream(
            "/api/v1/sessions/0190b5c4-7d2e-7000-8000-000000000001/events"
        ));
        for path in [
            "/api/v1/sessions//events",
            "/api/v1/sessions/x/y/events",
            "/api/v1/sessions/x/events/",
            "/api/v1/sessions/x/snapshot",
            "/api/v1/questions/x/events",
            "/events",
            "/",
        ] {
            assert!(!is_live_stream(path), "{path}");
        }
    }

    /// The check is on the path's text, so it must follow the routes: every
    /// operation of the API that answers `text/event-stream` is a live
    /// stream to it, and no other path is.
    #[test]
    fn the_live_streams_are_the_apis_event_streams() {
        let (_, doc) = crate::api::routes();
        let mut streams = 0;
        for (path, item) in &doc.paths.paths {
            let streams_events = [&item.get, &item.post]
                .into_iter()
                .flatten()
                .flat_map(|op| op.responses.responses.values())
                .any(|response| match response {
                    utoipa::openapi::RefOr::T(r) => r.content.contains_key("text/event-stream"),
                    utoipa::openapi::RefOr::Ref(_) => false,
                });
            let concrete = path.replace("{id}", "0190b5c4-7d2e-7000-8000-000000000001");
            assert_eq!(is_live_stream(&concrete), streams_events, "{path}");
            streams += usize::from(streams_events);
        }
        assert_eq!(streams, 1, "the API has one live stream");
    }
}
