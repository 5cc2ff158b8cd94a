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

impl PecKind {
    /// The kind a signed daticert `tipo` proves. `anomaly_envelope` is true when
    /// the envelope says `X-Trasporto: errore`: a `posta-certificata` daticert
    /// inside it belongs to an anomaly envelope, not a transport one.
    pub fn from_daticert(tipo: crate::DaticertType, anomaly_envelope: bool) -> PecKind {
        use crate::DaticertType as T;
        match tipo {
            T::PostaCertificata if anomaly_envelope => PecKind::Anomaly,
            T::PostaCertificata => PecKind::Transport,
            T::Accettazione => PecKind::Acceptance,
            T::NonAccettazione => PecKind::NonAcceptance,
            T::PresaInCarico => PecKind::TakingCharge,
            T::AvvenutaConsegna => PecKind::Delivery,
            T::ErroreConsegna => PecKind::DeliveryError,
            T::PreavvisoErroreConsegna => PecKind::DeliveryWarning,
            T::RilevazioneVirus => PecKind::VirusDetected,
        }
    }

    /// Whether this kind is a provider message (anything but `plain`).
    pub fn is_pec(self) -> bool {
        self != PecKind::Plain
    }
}

impl std::fmt::Display for PecKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
