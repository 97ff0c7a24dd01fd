//! Small building blocks shared by several features.

pub mod badges;
pub mod countdown;
pub mod form;
pub mod layout;

use leptos::prelude::{Effect, IntoView, LocalStorage};

/// What every [`watch`] runs: one closure type for all of them.
type Watcher = Box<dyn FnMut(Option<()>)>;

/// `Effect::new(f)`, with `f` boxed. Leptos compiles its effect loop (a
/// task that waits for a change, then runs the closure again) once per
/// closure type, 1.5 to 3 KB of WebAssembly each; through one boxed type
/// the browser's bundle carries it once. `f` gets `None` on its first run.
pub fn watch(f: impl FnMut(Option<()>) + 'static) -> Effect<LocalStorage> {
    Effect::new(Box::new(f) as Watcher)
}

/// A view whose type is erased (`AnyView`) on the server only.
///
/// On the server, erasing a big view's type keeps the page's type shallow
/// enough to compile. In the browser an `AnyView` would also carry Leptos's
/// asynchronous hydration of everything inside it, which islands never use,
/// into every phone's download.
pub fn erase_on_server<V: IntoView + 'static>(view: V) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::IntoAny::into_any(view)
    }
    #[cfg(not(feature = "ssr"))]
    {
        view
    }
}
