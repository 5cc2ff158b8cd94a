//! The kinds of message Cartolina tells apart.
use serde::Serialize;

/// What a message is, as far as PEC goes. Serialised in kebab-case
/// (`non-acceptance`, `delivery-error`, ...): that spelling is part of the CLI's JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PecKind {
    /// busta di trasporto (daticert `posta-certificata`).
    Transport,
    /// busta di anomalia (`X-Trasporto: errore`).
    Anomaly,
    /// ricevuta di accettazione.
    Acceptance,
    /// avviso di non accettazione.
    NonAcceptance,
    /// ricevuta di presa in carico.
    TakingCharge,
    /// ricevuta di avvenuta consegna.
    Delivery,
    /// avviso di mancata consegna (`errore-consegna`).
    DeliveryError,
    /// preavviso di mancata consegna (12 h / 24 h warnings).
    DeliveryWarning,
    /// rilevazione virus notices.
    VirusDetected,
    /// anything else: ordinary mail, the user's own sent copy, forged/unsigned "receipts".
    Plain,
}

impl PecKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PecKind::Transport => "transport",
            PecKind::Anomaly => "anomaly",
            PecKind::Acceptance => "acceptance",
            PecKind::NonAcceptance => "non-acceptance",
            PecKind::TakingCharge => "taking-charge",
            PecKind::Delivery => "delivery",
            PecKind::DeliveryError => "delivery-error",
            PecKind::DeliveryWarning => "delivery-warning",
            PecKind::VirusDetected => "virus-detected",
            PecKind::Plain => "plain",
        }
    }
}
