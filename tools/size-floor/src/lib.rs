//! The smallest participant-like island (see `Cargo.toml`).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A card as the island reads it from its props and the server's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub text: String,
    pub dots: u32,
}

/// One server function, called from the browser.
#[server(prefix = "/fn", endpoint = "vote")]
pub async fn vote(id: u64, dots: u32) -> Result<Item, ServerFnError> {
    Ok(Item {
        id,
        text: String::new(),
        dots,
    })
}

/// A keyed list of cards, each with a button that calls the server and
/// updates the list from the answer.
#[island]
fn Board(items: Vec<Item>) -> impl IntoView {
    let items = RwSignal::new(items);
    let vote = ServerAction::<Vote>::new();
    Effect::new(move |_| {
        if let Some(Ok(it)) = vote.value().get() {
            items.update(|v| {
                if let Some(x) = v.iter_mut().find(|x| x.id == it.id) {
                    x.dots = it.dots;
                }
            });
        }
    });
    view! {
        <ol>
            <For each=move || items.get() key=|i| (i.id, i.dots) let(item)>
                <li>
                    {item.text.clone()} " " {item.dots}
                    <button on:click=move |_| {
                        vote.dispatch(Vote { id: item.id, dots: item.dots + 1 });
                    }>"+"</button>
                </li>
            </For>
        </ol>
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
