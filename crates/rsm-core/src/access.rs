//! The one access policy: may this actor do this action to that object, now?
//!
//! Every handler of the server asks [`decide`]. A refusal carries its reason and whether
//! the object must be concealed: for a restricted body an outsider gets "not found",
//! never "forbidden", so the body's existence does not leak.

use std::fmt;

use jiff::civil::Date;

use crate::{
    body::{Basket, Body, BodyId, BodyKind, Visibility},
    participation::{ParticipationStatus, Timeline},
    party::PartyCode,
};

/// An account's role. Each account has exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the host: accounts, tokens, the audit trail.
    SecretariatAdmin,
    /// Sets up bodies and meetings, records participation acts; never speaks for a party.
    SecretariatOfficer,
    /// A party's delegate (ministry of foreign affairs or defence).
    Delegate(PartyCode),
    /// A party's auditor or national mirror operator.
    Auditor(PartyCode),
    /// A party's humanitarian focal point (e.g. its Red Cross society).
    FocalPoint(PartyCode),
    /// A party's member of one working group.
    WorkingGroupMember(PartyCode, BodyId),
}

impl Role {
    /// The role's kind as stored and shown: `delegate`, `auditor`, …
    pub fn kind(&self) -> &'static str {
        match self {
            Self::SecretariatAdmin => "secretariat-admin",
            Self::SecretariatOfficer => "secretariat-officer",
            Self::Delegate(_) => "delegate",
            Self::Auditor(_) => "auditor",
            Self::FocalPoint(_) => "focal-point",
            Self::WorkingGroupMember(..) => "working-group-member",
        }
    }

    pub const KINDS: [&'static str; 6] = [
        "secretariat-admin",
        "secretariat-officer",
        "delegate",
        "auditor",
        "focal-point",
        "working-group-member",
    ];

    /// The party the role acts for, if any.
    pub fn party(&self) -> Option<PartyCode> {
        match self {
            Self::SecretariatAdmin | Self::SecretariatOfficer => None,
            Self::Delegate(p) | Self::Auditor(p) | Self::FocalPoint(p) => Some(*p),
            Self::WorkingGroupMember(p, _) => Some(*p),
        }
    }

    /// The body a working-group member belongs to.
    pub fn body(&self) -> Option<&BodyId> {
        match self {
            Self::WorkingGroupMember(_, b) => Some(b),
            _ => None,
        }
    }

    /// Builds a role from its stored parts, checking that party and body are given
    /// exactly when the kind needs them.
    pub fn from_parts(
        kind: &str,
        party: Option<PartyCode>,
        body: Option<BodyId>,
    ) -> Result<Self, RoleError> {
        let need_party = || party.ok_or(RoleError::PartyRequired(kind.to_owned()));
        let role = match kind {
            "secretariat-admin" | "secretariat-officer" => {
                if party.is_some() {
                    return Err(RoleError::PartyNotAllowed(kind.to_owned()));
                }
                if kind == "secretariat-admin" {
                    Self::SecretariatAdmin
                } else {
                    Self::SecretariatOfficer
                }
            }
            "delegate" => Self::Delegate(need_party()?),
            "auditor" => Self::Auditor(need_party()?),
            "focal-point" => Self::FocalPoint(need_party()?),
            "working-group-member" => {
                let party = need_party()?;
                let body = body.ok_or(RoleError::BodyRequired)?;
                return Ok(Self::WorkingGroupMember(party, body));
            }
            other => return Err(RoleError::UnknownKind(other.to_owned())),
        };
        if body.is_some() {
            return Err(RoleError::BodyNotAllowed(kind.to_owned()));
        }
        Ok(role)
    }

    fn is_secretariat(&self) -> bool {
        matches!(self, Self::SecretariatAdmin | Self::SecretariatOfficer)
    }
}

/// A role whose parts do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error(
        "`{0}` is not a role: expected one of secretariat-admin, secretariat-officer, delegate, auditor, focal-point, working-group-member"
    )]
    UnknownKind(String),
    #[error("role `{0}` acts for a party: give its party code")]
    PartyRequired(String),
    #[error("role `{0}` does not act for a party: leave the party out")]
    PartyNotAllowed(String),
    #[error("role working-group-member needs the working group's body id")]
    BodyRequired,
    #[error("role `{0}` is not tied to a body: leave the body out")]
    BodyNotAllowed(String),
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// Signed out.
    Public,
    /// A signed-in account (or an API token acting for it).
    Account { id: i64, role: Role },
}

impl Actor {
    pub fn role(&self) -> Option<&Role> {
        match self {
            Self::Public => None,
            Self::Account { role, .. } => Some(role),
        }
    }
    pub fn account_id(&self) -> Option<i64> {
        match self {
            Self::Public => None,
            Self::Account { id, .. } => Some(*id),
        }
    }
}

/// Everything that can be asked of the policy.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// List the parties and their participation (public).
    ReadParties,
    /// Record a change of a party's participation.
    SetParticipation,
    /// See a body, its name, members and everything in it.
    ReadBody(&'a Body),
    /// Create a new body.
    CreateBody,
    /// Edit an existing body (members, chair rotation, name).
    EditBody(&'a Body),
    /// List accounts.
    ListPeople,
    /// Create, disable or change the role of accounts, or manage another account's tokens.
    ManagePeople,
    /// Read or change one's own account, password and tokens.
    ManageOwnAccount,
    /// Read the audit trail.
    ReadAudit,
    /// Read the notification log (public: it holds only commitments and signatures).
    ReadLog,
    /// Submit a signed entry to the log for `party` (`None`: the secretariat).
    SubmitLogEntry(Option<PartyCode>),
    /// Pin a party's log key received out of band (the delegation's letter).
    RegisterLogKey,
    /// See the gas network and its plans (the economic basket's working material: any
    /// signed-in account).
    ReadEnergyPlans,
    /// Edit the planner's scenarios, start runs and attach results, as the economic working
    /// group `body` (its working-group members and the secretariat).
    PlanEnergy(&'a Body),
    /// Schedule a body's meetings and run its business: agendas, documents, the procedure
    /// of drafts, action items (the secretariat).
    ManageDeliberation(&'a Body),
    /// Speak for `party` in a body: propose agenda items, take positions, propose
    /// amendments, attach statements (that party's own delegates only).
    SpeakFor(&'a Body, PartyCode),
    /// Record aid flows (pledges, commitments, disbursements) with `party` as the donor:
    /// that party's humanitarian focal points (while the party has not withdrawn), and the
    /// secretariat.
    RecordAid(PartyCode),
    /// Read aid flows and the conversion table: aid between states is not personal data, but
    /// working material of the mechanism (any signed-in account).
    ReadAid,
    /// Add a rate to the dated currency conversion table (the secretariat).
    ManageAidRates,
    /// Read the yearly humanitarian report: aggregates only, small counts suppressed (any
    /// signed-in account — the Council's delegations among them).
    ReadHumanitarianReport,
    /// Preview a yearly humanitarian report's draft and publish it, frozen (secretariat).
    PublishHumanitarianReport,
    /// Work in `party`'s separated-family tracing registry: read and register requests and
    /// persons, run matching, review candidates, record replies (that party's humanitarian
    /// focal points only; KR's, and KP's while KP participates). Concealed from everyone else.
    KinRegistry(PartyCode),
    /// Exchange lists with the other side of the peninsula from `party`'s registry (import
    /// the other side's list, export one's own): the registry's focal points, and only while
    /// KP participates — reunification needs both sides.
    KinExchange(PartyCode),
    /// Read the humanitarian referral types (data, nothing personal: anyone).
    ReadReferralTypes,
    /// Open a humanitarian case and refer it on behalf of `party` (that party's focal points).
    OpenCase(PartyCode),
    /// List cases: any signed-in account, each case then filtered through `ReadCase`.
    ListCases,
    /// Read a case referred by `referring` to `receiving`: the two parties' focal points
    /// only; to everyone else (secretariat included) it does not exist.
    ReadCase {
        referring: PartyCode,
        receiving: PartyCode,
    },
    /// Take a step on a case as `acting_for`'s focal point (which steps each side may take
    /// is the life cycle's rule, `rsm_humanitarian::case::next_status`).
    ActOnCase {
        referring: PartyCode,
        receiving: PartyCode,
        acting_for: PartyCode,
    },
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReadParties => f.write_str("read parties"),
            Self::SetParticipation => f.write_str("set participation"),
            Self::ReadBody(b) => write!(f, "read body {}", b.id),
            Self::CreateBody => f.write_str("create body"),
            Self::EditBody(b) => write!(f, "edit body {}", b.id),
            Self::ListPeople => f.write_str("list people"),
            Self::ManagePeople => f.write_str("manage people"),
            Self::ManageOwnAccount => f.write_str("manage own account"),
            Self::ReadAudit => f.write_str("read audit trail"),
            Self::ReadLog => f.write_str("read the log"),
            Self::SubmitLogEntry(Some(p)) => write!(f, "submit a log entry for {p}"),
            Self::SubmitLogEntry(None) => f.write_str("submit a secretariat log entry"),
            Self::RegisterLogKey => f.write_str("pin a party's log key"),
            Self::ReadEnergyPlans => f.write_str("read energy plans"),
            Self::PlanEnergy(body) => write!(f, "plan energy in {}", body.id),
            Self::ManageDeliberation(b) => write!(f, "manage the business of body {}", b.id),
            Self::SpeakFor(b, p) => write!(f, "speak for {p} in body {}", b.id),
            Self::RecordAid(p) => write!(f, "record aid given by {p}"),
            Self::ReadAid => f.write_str("read aid flows"),
            Self::ManageAidRates => f.write_str("manage the aid conversion table"),
            Self::ReadHumanitarianReport => f.write_str("read the humanitarian report"),
            Self::PublishHumanitarianReport => {
                f.write_str("preview and publish the humanitarian report")
            }
            Self::KinRegistry(p) => write!(f, "work in {p}'s family tracing registry"),
            Self::KinExchange(p) => write!(f, "exchange family tracing lists for {p}"),
            Self::ReadReferralTypes => f.write_str("read referral types"),
            Self::OpenCase(p) => write!(f, "open a case for {p}"),
            Self::ListCases => f.write_str("list cases"),
            Self::ReadCase {
                referring,
                receiving,
            } => write!(f, "read a case from {referring} to {receiving}"),
            Self::ActOnCase {
                referring,
                receiving,
                acting_for,
            } => write!(
                f,
                "act for {acting_for} on a case from {referring} to {receiving}"
            ),
        }
    }
}

/// A refusal, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// Why, in words fit to show the asker (never naming a concealed object).
    pub reason: String,
    /// The asker must not learn the object exists: answer "not found".
    pub conceal: bool,
    /// The asker is signed out and might be allowed after signing in.
    pub needs_sign_in: bool,
}

impl Denied {
    fn because(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            conceal: false,
            needs_sign_in: false,
        }
    }
    fn sign_in() -> Self {
        Self {
            reason: "sign in first".into(),
            conceal: false,
            needs_sign_in: true,
        }
    }
    fn concealed() -> Self {
        Self {
            reason: "not found".into(),
            conceal: true,
            needs_sign_in: false,
        }
    }
}

/// The policy. `today` is the date in force; `timeline` answers who participates.
pub fn decide(
    actor: &Actor,
    action: Action<'_>,
    today: Date,
    timeline: &Timeline,
) -> Result<(), Denied> {
    let role = actor.role();
    match action {
        Action::ReadParties | Action::ReadLog => Ok(()),
        Action::SubmitLogEntry(party) => match (role, party) {
            (None, _) => Err(Denied::sign_in()),
            (Some(r), None) if r.is_secretariat() => Ok(()),
            (Some(Role::Delegate(p)), Some(q)) if *p == q => {
                if timeline.status_on(q, today) == ParticipationStatus::Participating {
                    Ok(())
                } else {
                    Err(Denied::because(format!(
                        "{q} is not a participating party today"
                    )))
                }
            }
            (Some(_), Some(q)) => Err(Denied::because(format!(
                "only a delegate of {q} may submit {q}'s entries"
            ))),
            (Some(_), None) => Err(Denied::because(
                "only the secretariat may submit secretariat entries",
            )),
        },
        Action::ReadBody(body) => may_see_body(role, body, today, timeline),
        Action::SetParticipation | Action::CreateBody | Action::RegisterLogKey => match role {
            None => Err(Denied::sign_in()),
            Some(r) if r.is_secretariat() => Ok(()),
            Some(_) => Err(Denied::because("only the secretariat may do this")),
        },
        Action::EditBody(body) => {
            may_see_body(role, body, today, timeline)?;
            match role {
                None => Err(Denied::sign_in()),
                Some(r) if r.is_secretariat() => Ok(()),
                Some(_) => Err(Denied::because("only the secretariat may edit bodies")),
            }
        }
        Action::ListPeople | Action::ManagePeople | Action::ReadAudit => match role {
            None => Err(Denied::sign_in()),
            Some(Role::SecretariatAdmin) => Ok(()),
            Some(_) => Err(Denied::because(
                "only the secretariat administrator may do this",
            )),
        },
        Action::ManageOwnAccount | Action::ReadEnergyPlans => match role {
            None => Err(Denied::sign_in()),
            Some(_) => Ok(()),
        },
        Action::PlanEnergy(body) => {
            may_see_body(role, body, today, timeline)?;
            match role {
                None => Err(Denied::sign_in()),
                Some(r) if r.is_secretariat() => Ok(()),
                Some(Role::WorkingGroupMember(p, b))
                    if *b == body.id && body.kind == BodyKind::WorkingGroup(Basket::Economic) =>
                {
                    if timeline.status_on(*p, today) == ParticipationStatus::Participating {
                        Ok(())
                    } else {
                        Err(Denied::because(format!(
                            "{p} is not a participating party today"
                        )))
                    }
                }
                Some(_) => Err(Denied::because(
                    "only the economic working group's members and the secretariat plan energy",
                )),
            }
        }
        Action::ManageDeliberation(body) => {
            may_see_body(role, body, today, timeline)?;
            match role {
                None => Err(Denied::sign_in()),
                Some(r) if r.is_secretariat() => Ok(()),
                Some(_) => Err(Denied::because(
                    "only the secretariat schedules meetings and manages documents and procedure",
                )),
            }
        }
        Action::RecordAid(party) => match role {
            None => Err(Denied::sign_in()),
            Some(r) if r.is_secretariat() => Ok(()),
            Some(Role::FocalPoint(p)) if *p == party => {
                if timeline.status_on(party, today) == ParticipationStatus::Withdrawn {
                    Err(Denied::because(format!("{party} has withdrawn")))
                } else {
                    Ok(())
                }
            }
            Some(_) => Err(Denied::because(format!(
                "only a humanitarian focal point of {party} or the secretariat may record {party}'s aid"
            ))),
        },
        Action::ReadAid | Action::ReadHumanitarianReport => match role {
            None => Err(Denied::sign_in()),
            Some(_) => Ok(()),
        },
        Action::PublishHumanitarianReport => match role {
            None => Err(Denied::sign_in()),
            Some(r) if r.is_secretariat() => Ok(()),
            Some(_) => Err(Denied::because(
                "only the secretariat previews and publishes the humanitarian report",
            )),
        },
        Action::ManageAidRates => match role {
            None => Err(Denied::sign_in()),
            Some(r) if r.is_secretariat() => Ok(()),
            Some(_) => Err(Denied::because(
                "only the secretariat keeps the conversion table",
            )),
        },
        Action::SpeakFor(body, party) => {
            may_see_body(role, body, today, timeline)?;
            match role {
                None => Err(Denied::sign_in()),
                Some(Role::Delegate(p)) if *p == party => Ok(()),
                Some(_) => Err(Denied::because(format!(
                    "only a delegate of {party} may speak for {party}"
                ))),
            }
        }
        Action::ReadReferralTypes => Ok(()),
        Action::OpenCase(party) => match role {
            None => Err(Denied::sign_in()),
            Some(Role::FocalPoint(p)) if *p == party => {
                if timeline.status_on(party, today) == ParticipationStatus::Participating {
                    Ok(())
                } else {
                    Err(Denied::because(format!(
                        "{party} is not a participating party today"
                    )))
                }
            }
            Some(_) => Err(Denied::because(format!(
                "only a humanitarian focal point of {party} may refer {party}'s cases"
            ))),
        },
        Action::ListCases => match role {
            None => Err(Denied::sign_in()),
            Some(_) => Ok(()),
        },
        Action::ReadCase {
            referring,
            receiving,
        } => may_read_case(role, referring, receiving),
        Action::ActOnCase {
            referring,
            receiving,
            acting_for,
        } => {
            may_read_case(role, referring, receiving)?;
            match role {
                Some(Role::FocalPoint(p)) if *p == acting_for => Ok(()),
                _ => Err(Denied::because(format!(
                    "only a humanitarian focal point of {acting_for} may act for {acting_for}"
                ))),
            }
        }
        Action::KinRegistry(party) => may_work_in_kin_registry(role, party, today, timeline),
        Action::KinExchange(party) => {
            may_work_in_kin_registry(role, party, today, timeline)?;
            if timeline.status_on(PartyCode::KP, today) == ParticipationStatus::Participating {
                Ok(())
            } else {
                Err(Denied::because(KIN_EXCHANGE_CLOSED))
            }
        }
    }
}

/// Why the cross-side exchange of family tracing lists is closed.
pub const KIN_EXCHANGE_CLOSED: &str = "reunification requires KP to participate: while it does not, lists cannot be exchanged with the other side";

/// The Korean Red Cross societies' registries: KR's always, KP's while KP participates;
/// only that party's own focal points work in it. To anyone else it does not exist.
fn may_work_in_kin_registry(
    role: Option<&Role>,
    party: PartyCode,
    today: Date,
    timeline: &Timeline,
) -> Result<(), Denied> {
    match role {
        None => Err(Denied::sign_in()),
        Some(Role::FocalPoint(p))
            if *p == party
                && (party == PartyCode::KR
                    || (party == PartyCode::KP
                        && timeline.status_on(PartyCode::KP, today)
                            == ParticipationStatus::Participating)) =>
        {
            Ok(())
        }
        Some(_) => Err(Denied::concealed()),
    }
}

/// Need-to-know: a case exists only for the focal points of its two parties. Delegates,
/// auditors, working-group members, other parties' focal points and the secretariat (which
/// sees counts through the yearly report, never a case) get "not found".
fn may_read_case(
    role: Option<&Role>,
    referring: PartyCode,
    receiving: PartyCode,
) -> Result<(), Denied> {
    match role {
        None => Err(Denied::sign_in()),
        Some(Role::FocalPoint(p)) if *p == referring || *p == receiving => Ok(()),
        Some(_) => Err(Denied::concealed()),
    }
}

/// Public bodies are open to all. A restricted body is visible to the secretariat and to
/// delegates and auditors of its member parties (unless withdrawn), and to working-group
/// members of that very body; to everyone else it does not exist.
fn may_see_body(
    role: Option<&Role>,
    body: &Body,
    today: Date,
    timeline: &Timeline,
) -> Result<(), Denied> {
    if body.visibility == Visibility::Public {
        return Ok(());
    }
    let Some(role) = role else {
        return Err(Denied::concealed());
    };
    let allowed = match role {
        Role::SecretariatAdmin | Role::SecretariatOfficer => true,
        Role::Delegate(p) | Role::Auditor(p) => {
            body.names_member(*p) && timeline.status_on(*p, today) != ParticipationStatus::Withdrawn
        }
        Role::WorkingGroupMember(_, b) => *b == body.id,
        Role::FocalPoint(_) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::concealed())
    }
}

/// The bodies `actor` may see, in the given order. Lists and counts go through this, so a
/// concealed body never shows up, even as a number.
pub fn visible_bodies<'a>(
    actor: &Actor,
    bodies: &'a [Body],
    today: Date,
    timeline: &Timeline,
) -> Vec<&'a Body> {
    bodies
        .iter()
        .filter(|b| decide(actor, Action::ReadBody(b), today, timeline).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::default_bodies;
    use PartyCode::*;
    use jiff::civil::date;

    fn account(role: Role) -> Actor {
        Actor::Account { id: 1, role }
    }

    #[test]
    fn restricted_body_is_concealed_from_outsiders_only() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let bodies = default_bodies(2026);
        let peace = &bodies[5];
        let today = date(2026, 5, 1);
        let see = |actor: &Actor| decide(actor, Action::ReadBody(peace), today, &t);
        assert!(see(&account(Role::Delegate(KR))).is_ok());
        assert!(
            see(&account(Role::Delegate(KP))).is_ok(),
            "invited members see it"
        );
        assert!(see(&account(Role::SecretariatOfficer)).is_ok());
        for outsider in [
            Actor::Public,
            account(Role::Delegate(JP)),
            account(Role::Auditor(RU)),
            account(Role::FocalPoint(KR)),
            account(Role::WorkingGroupMember(
                KR,
                BodyId::parse("wg-security").unwrap(),
            )),
        ] {
            let denied = see(&outsider).unwrap_err();
            assert!(denied.conceal, "{outsider:?} must get not-found");
            assert!(!denied.reason.contains("peace"));
        }
        assert_eq!(
            visible_bodies(&account(Role::Delegate(JP)), &bodies, today, &t).len(),
            5
        );
        assert_eq!(
            visible_bodies(&account(Role::Delegate(US)), &bodies, today, &t).len(),
            6
        );
    }

    #[test]
    fn administration_is_the_admins_alone() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let today = date(2026, 5, 1);
        let admin = account(Role::SecretariatAdmin);
        let officer = account(Role::SecretariatOfficer);
        assert!(decide(&admin, Action::ReadAudit, today, &t).is_ok());
        let denied = decide(&officer, Action::ReadAudit, today, &t).unwrap_err();
        assert!(!denied.conceal && denied.reason.contains("administrator"));
        assert!(
            decide(&Actor::Public, Action::ReadAudit, today, &t)
                .unwrap_err()
                .needs_sign_in
        );
        assert!(decide(&officer, Action::SetParticipation, today, &t).is_ok());
        assert!(
            decide(
                &account(Role::Delegate(KR)),
                Action::SetParticipation,
                today,
                &t
            )
            .is_err()
        );
    }

    #[test]
    fn energy_planning_is_the_economic_working_groups_and_the_secretariats() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let today = date(2026, 5, 1);
        let bodies = default_bodies(2026);
        let economic = bodies
            .iter()
            .find(|b| b.kind == BodyKind::WorkingGroup(Basket::Economic))
            .unwrap();
        let security = bodies
            .iter()
            .find(|b| b.kind == BodyKind::WorkingGroup(Basket::Security))
            .unwrap();
        let plan = |actor: &Actor, body| decide(actor, Action::PlanEnergy(body), today, &t);
        let member = account(Role::WorkingGroupMember(CN, economic.id.clone()));
        assert!(plan(&member, economic).is_ok());
        assert!(plan(&account(Role::SecretariatOfficer), economic).is_ok());
        // A member of another working group, delegates, auditors, focal points: no.
        let other = account(Role::WorkingGroupMember(CN, security.id.clone()));
        assert!(plan(&other, economic).is_err());
        assert!(plan(&other, security).is_err(), "not an economic body");
        for outsider in [
            account(Role::Delegate(KR)),
            account(Role::Auditor(RU)),
            account(Role::FocalPoint(KR)),
        ] {
            let denied = plan(&outsider, economic).unwrap_err();
            assert!(
                denied.reason.contains("economic working group"),
                "{denied:?}"
            );
        }
        assert!(plan(&Actor::Public, economic).unwrap_err().needs_sign_in);
        // KP's member may plan only while KP participates.
        let kp = account(Role::WorkingGroupMember(KP, economic.id.clone()));
        assert!(plan(&kp, economic).is_err());
        // Reading plans stays open to every signed-in account.
        assert!(
            decide(
                &account(Role::FocalPoint(KR)),
                Action::ReadEnergyPlans,
                today,
                &t
            )
            .is_ok()
        );
    }

    #[test]
    fn log_entries_are_submitted_by_the_partys_own_delegates() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let today = date(2026, 5, 1);
        let kr = account(Role::Delegate(KR));
        assert!(decide(&kr, Action::SubmitLogEntry(Some(KR)), today, &t).is_ok());
        assert!(decide(&kr, Action::SubmitLogEntry(Some(JP)), today, &t).is_err());
        assert!(decide(&kr, Action::SubmitLogEntry(None), today, &t).is_err());
        let kp = account(Role::Delegate(KP));
        assert!(decide(&kp, Action::SubmitLogEntry(Some(KP)), today, &t).is_err());
        let auditor = account(Role::Auditor(KR));
        assert!(decide(&auditor, Action::SubmitLogEntry(Some(KR)), today, &t).is_err());
        let officer = account(Role::SecretariatOfficer);
        assert!(decide(&officer, Action::SubmitLogEntry(None), today, &t).is_ok());
        assert!(decide(&officer, Action::SubmitLogEntry(Some(KR)), today, &t).is_err());
        assert!(decide(&officer, Action::RegisterLogKey, today, &t).is_ok());
        assert!(decide(&kr, Action::RegisterLogKey, today, &t).is_err());
        assert!(decide(&Actor::Public, Action::ReadLog, today, &t).is_ok());
    }

    #[test]
    fn a_case_exists_only_for_the_focal_points_of_its_two_parties() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let today = date(2026, 5, 1);
        let read = Action::ReadCase {
            referring: KR,
            receiving: JP,
        };
        assert!(decide(&account(Role::FocalPoint(KR)), read, today, &t).is_ok());
        assert!(decide(&account(Role::FocalPoint(JP)), read, today, &t).is_ok());
        for outsider in [
            Role::FocalPoint(CN),
            Role::Delegate(KR),
            Role::Delegate(JP),
            Role::Auditor(KR),
            Role::SecretariatAdmin,
            Role::SecretariatOfficer,
            Role::WorkingGroupMember(KR, BodyId::parse("wg-humanitarian").unwrap()),
        ] {
            let denied = decide(&account(outsider.clone()), read, today, &t).unwrap_err();
            assert!(denied.conceal, "{outsider:?} must get not-found");
        }
        assert!(
            decide(&Actor::Public, read, today, &t)
                .unwrap_err()
                .needs_sign_in
        );
        let act = |acting_for| Action::ActOnCase {
            referring: KR,
            receiving: JP,
            acting_for,
        };
        assert!(decide(&account(Role::FocalPoint(JP)), act(JP), today, &t).is_ok());
        let wrong = decide(&account(Role::FocalPoint(JP)), act(KR), today, &t).unwrap_err();
        assert!(!wrong.conceal, "a party to the case learns nothing new");
        assert!(
            decide(&account(Role::FocalPoint(CN)), act(CN), today, &t)
                .unwrap_err()
                .conceal
        );
        assert!(
            decide(
                &account(Role::FocalPoint(KR)),
                Action::OpenCase(KR),
                today,
                &t
            )
            .is_ok()
        );
        assert!(
            decide(
                &account(Role::FocalPoint(KR)),
                Action::OpenCase(JP),
                today,
                &t
            )
            .is_err()
        );
        assert!(
            decide(
                &account(Role::Delegate(KR)),
                Action::OpenCase(KR),
                today,
                &t
            )
            .is_err()
        );
        assert!(
            decide(
                &account(Role::FocalPoint(KP)),
                Action::OpenCase(KP),
                today,
                &t
            )
            .is_err()
        );
        assert!(decide(&account(Role::Delegate(US)), Action::ListCases, today, &t).is_ok());
    }

    #[test]
    fn kin_registry_is_the_korean_focal_points_alone_and_exchange_needs_kp() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let today = date(2026, 5, 1);
        assert_ne!(t.status_on(KP, today), ParticipationStatus::Participating);
        let kr = account(Role::FocalPoint(KR));
        assert!(decide(&kr, Action::KinRegistry(KR), today, &t).is_ok());
        let closed = decide(&kr, Action::KinExchange(KR), today, &t).unwrap_err();
        assert!(!closed.conceal && closed.reason.contains("KP to participate"));
        for other in [
            account(Role::Delegate(KR)),
            account(Role::Auditor(KR)),
            account(Role::FocalPoint(JP)),
            account(Role::FocalPoint(KP)),
            account(Role::SecretariatAdmin),
            account(Role::SecretariatOfficer),
        ] {
            let d = decide(&other, Action::KinRegistry(KR), today, &t).unwrap_err();
            assert!(d.conceal, "{other:?} must get not-found");
            assert!(
                decide(&other, Action::KinExchange(KR), today, &t)
                    .unwrap_err()
                    .conceal
            );
        }
        assert!(
            decide(&Actor::Public, Action::KinRegistry(KR), today, &t)
                .unwrap_err()
                .needs_sign_in
        );
        // KP's own focal points: nothing while KP does not participate.
        let kp = account(Role::FocalPoint(KP));
        assert!(
            decide(&kp, Action::KinRegistry(KP), today, &t)
                .unwrap_err()
                .conceal
        );
        assert!(
            decide(
                &account(Role::FocalPoint(JP)),
                Action::KinRegistry(JP),
                today,
                &t
            )
            .unwrap_err()
            .conceal
        );
        // Once KP participates, the exchange opens for both sides and KP's registry exists.
        let mut joined = t.clone();
        joined
            .record(crate::participation::StatusChange {
                party: KP,
                status: ParticipationStatus::Participating,
                effective: date(2026, 6, 1),
                basis: "MC.DEC/2/26".into(),
                recorded_on: today,
            })
            .unwrap();
        let later = date(2026, 6, 1);
        assert!(decide(&kr, Action::KinExchange(KR), later, &joined).is_ok());
        assert!(decide(&kp, Action::KinRegistry(KP), later, &joined).is_ok());
        assert!(decide(&kp, Action::KinExchange(KP), later, &joined).is_ok());
        assert!(
            decide(&kp, Action::KinRegistry(KR), later, &joined)
                .unwrap_err()
                .conceal
        );
        assert!(
            decide(&kr, Action::KinRegistry(KP), later, &joined)
                .unwrap_err()
                .conceal
        );
        assert!(
            decide(&kr, Action::KinExchange(KR), today, &joined).is_err(),
            "not before"
        );
    }

    #[test]
    fn aid_is_recorded_by_the_donors_focal_points_and_read_when_signed_in() {
        let t = Timeline::founding(date(2026, 1, 1), "Founding Declaration");
        let today = date(2026, 5, 1);
        let kr_fp = account(Role::FocalPoint(KR));
        assert!(decide(&kr_fp, Action::RecordAid(KR), today, &t).is_ok());
        let denied = decide(&kr_fp, Action::RecordAid(JP), today, &t).unwrap_err();
        assert!(denied.reason.contains("focal point of JP") && !denied.conceal);
        assert!(
            decide(
                &account(Role::Delegate(KR)),
                Action::RecordAid(KR),
                today,
                &t
            )
            .is_err()
        );
        assert!(
            decide(
                &account(Role::SecretariatOfficer),
                Action::RecordAid(US),
                today,
                &t
            )
            .is_ok()
        );
        assert!(
            decide(&Actor::Public, Action::RecordAid(KR), today, &t)
                .unwrap_err()
                .needs_sign_in
        );
        for who in [Role::SecretariatAdmin, Role::SecretariatOfficer] {
            assert!(decide(&account(who), Action::PublishHumanitarianReport, today, &t).is_ok());
        }
        for who in [Role::FocalPoint(KR), Role::Auditor(RU)] {
            assert!(decide(&account(who), Action::PublishHumanitarianReport, today, &t).is_err());
        }
        assert!(
            decide(&Actor::Public, Action::PublishHumanitarianReport, today, &t)
                .unwrap_err()
                .needs_sign_in
        );
        assert_eq!(
            Action::PublishHumanitarianReport.to_string(),
            "preview and publish the humanitarian report"
        );
        for action in [Action::ReadAid, Action::ReadHumanitarianReport] {
            assert!(decide(&account(Role::Auditor(RU)), action, today, &t).is_ok());
            assert!(
                decide(&Actor::Public, action, today, &t)
                    .unwrap_err()
                    .needs_sign_in
            );
        }
        assert!(
            decide(
                &account(Role::SecretariatAdmin),
                Action::ManageAidRates,
                today,
                &t
            )
            .is_ok()
        );
        assert!(decide(&kr_fp, Action::ManageAidRates, today, &t).is_err());
    }

    #[test]
    fn roles_are_built_from_consistent_parts() {
        assert_eq!(
            Role::from_parts("delegate", Some(KR), None),
            Ok(Role::Delegate(KR))
        );
        assert_eq!(
            Role::from_parts("delegate", None, None),
            Err(RoleError::PartyRequired("delegate".into()))
        );
        assert!(Role::from_parts("secretariat-admin", Some(KR), None).is_err());
        assert!(Role::from_parts("working-group-member", Some(KR), None).is_err());
        assert!(Role::from_parts("king", None, None).is_err());
    }
}
