//! Small building blocks shared by several features.

pub mod badges;
pub mod countdown;
pub mod form;
pub mod layout;

use leptos::prelude::IntoView;

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
