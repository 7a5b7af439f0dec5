//! Pure math for weighting and robustness, a stage before scoring that imports nothing else
//! in the crate: [`ahp`] turns a committee's pairwise judgements into weights (Saaty's
//! principal eigenvector, its consistency, the completion of missing pairs and the judgement
//! to revisit), and [`smaa`] asks how far a ranking survives other weights and the values
//! unknown evidence could take (SMAA-2, with exact one-at-a-time weight intervals). The
//! profile stage reads judgements through [`ahp`]; the score stage samples the requirement
//! graph and hands plain arrays to [`smaa`].

pub mod ahp;
pub mod smaa;
