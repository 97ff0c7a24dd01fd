//! The moderation record: who did what to which card or question, when and
//! why.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{Lang, time::Timestamp};

/// What a facilitator (or the countdown) did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Approve,
    Hide,
    Restore,
    Edit,
    Pin,
    Unpin,
    Tag,
    Merge,
    Unmerge,
    Phase,
    Timer,
    PaperCard,
    PaperVotes,
    Moderation,
    Settings,
    Programme,
    Cluster,
    Uncluster,
    Passcode,
    Withdrawal,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 20] = [
        AuditAction::Approve,
        AuditAction::Hide,
        AuditAction::Restore,
        AuditAction::Edit,
        AuditAction::Pin,
        AuditAction::Unpin,
        AuditAction::Tag,
        AuditAction::Merge,
        AuditAction::Unmerge,
        AuditAction::Phase,
        AuditAction::Timer,
        AuditAction::PaperCard,
        AuditAction::PaperVotes,
        AuditAction::Moderation,
        AuditAction::Settings,
        AuditAction::Programme,
        AuditAction::Cluster,
        AuditAction::Uncluster,
        AuditAction::Passcode,
        AuditAction::Withdrawal,
    ];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Approve => "approve",
            AuditAction::Hide => "hide",
            AuditAction::Restore => "restore",
            AuditAction::Edit => "edit",
            AuditAction::Pin => "pin",
            AuditAction::Unpin => "unpin",
            AuditAction::Tag => "tag",
            AuditAction::Merge => "merge",
            AuditAction::Unmerge => "unmerge",
            AuditAction::Phase => "phase",
            AuditAction::Timer => "timer",
            AuditAction::PaperCard => "paper_card",
            AuditAction::PaperVotes => "paper_votes",
            AuditAction::Moderation => "moderation",
            AuditAction::Settings => "settings",
            AuditAction::Programme => "programme",
            AuditAction::Cluster => "cluster",
            AuditAction::Uncluster => "uncluster",
            AuditAction::Passcode => "passcode",
            AuditAction::Withdrawal => "withdrawal",
        }
    }

    /// Label for people.
    pub fn label(self, lang: Lang) -> &'static str {
        let t = lang.t();
        match self {
            AuditAction::Approve => t.audit_approve(),
            AuditAction::Hide => t.audit_hide(),
            AuditAction::Restore => t.audit_restore(),
            AuditAction::Edit => t.audit_edit(),
            AuditAction::Pin => t.audit_pin(),
            AuditAction::Unpin => t.audit_unpin(),
            AuditAction::Tag => t.audit_tag(),
            AuditAction::Merge => t.audit_merge(),
            AuditAction::Unmerge => t.audit_unmerge(),
            AuditAction::Phase => t.audit_phase(),
            AuditAction::Timer => t.audit_timer(),
            AuditAction::PaperCard => t.audit_paper_card(),
            AuditAction::PaperVotes => t.audit_paper_votes(),
            AuditAction::Moderation => t.audit_moderation(),
            AuditAction::Settings => t.audit_settings(),
            AuditAction::Programme => t.audit_programme(),
            AuditAction::Cluster => t.audit_cluster(),
            AuditAction::Uncluster => t.audit_uncluster(),
            AuditAction::Passcode => t.audit_passcode(),
            AuditAction::Withdrawal => t.audit_withdrawal(),
        }
    }
}

impl FromStr for AuditAction {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        AuditAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(())
    }
}

/// One entry of a session's moderation record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub at: Timestamp,
    /// The facilitator's email, or `timer` for a countdown that ended.
    pub actor: String,
    pub action: AuditAction,
    /// The card or question acted on.
    pub target: Option<String>,
    pub reason: Option<String>,
    /// What changed, for people (e.g. the old and new text, the phase).
    pub detail: Option<String>,
}

impl AuditEntry {
    /// The actor of a participant's own withdrawal: no name is recorded.
    pub const PARTICIPANT: &'static str = "participant";

    /// Who acted, for people.
    pub fn actor_label(&self, lang: Lang) -> &str {
        if self.actor == Self::PARTICIPANT {
            lang.t().audit_participant()
        } else {
            &self.actor
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_round_trip_and_have_labels() {
        for a in AuditAction::ALL {
            assert_eq!(a.as_str().parse::<AuditAction>(), Ok(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
            assert!(!a.label(Lang::Id).is_empty() && !a.label(Lang::En).is_empty());
        }
    }
}
