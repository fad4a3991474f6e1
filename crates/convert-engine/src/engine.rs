//! The engine: SDK-instance settings plus the entry points.

use serde_json::Value;

use crate::bucketing::BucketingOptions;
use crate::config::ProjectConfig;
use crate::diagnose::{self, Diagnosis};
use crate::diagnostics::Reason;
use crate::experience::{self, Decision, RunOptions};
use crate::feature::{self, FeatureQuery, FeatureRun};
use crate::rule::{RuleEvaluation, RuleEvaluator, RuleOptions};
use crate::visitor::Visitor;

/// The JS SDK's default environment.
pub const DEFAULT_ENVIRONMENT: &str = "staging";

/// What an SDK instance is configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// The SDK environment (`config.environment`, default `"staging"`);
    /// experiences that name another environment do not run.
    pub environment: String,
    /// Hash seed, bucket space and hash input.
    pub bucketing: BucketingOptions,
    /// Rule evaluation (the regex work budget).
    pub rules: RuleOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            environment: DEFAULT_ENVIRONMENT.to_owned(),
            bucketing: BucketingOptions::default(),
            rules: RuleOptions::default(),
        }
    }
}

/// The reference engine. Stateless apart from its [`Settings`]: every method
/// takes the config and visitor it works on, so one engine serves any number
/// of projects and threads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Engine {
    settings: Settings,
}

impl Engine {
    /// An engine with `settings`.
    pub fn new(settings: Settings) -> Engine {
        Engine { settings }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Decides the variation of `key` for `visitor` (see [`experience`]).
    pub fn run_experience(
        &self,
        config: &ProjectConfig,
        visitor: &Visitor,
        key: &str,
        options: &RunOptions<'_>,
    ) -> Decision {
        experience::run_experience(&self.settings, config, visitor, key, options)
    }

    /// Decides every experience for `visitor`, storing each decision (see
    /// [`experience::run_experiences`]).
    pub fn run_experiences(
        &self,
        config: &ProjectConfig,
        visitor: &mut Visitor,
        options: &RunOptions<'_>,
    ) -> Vec<Decision> {
        experience::run_experiences(&self.settings, config, visitor, options)
    }

    /// The features of `visitor` (see [`feature::run_features`]).
    pub fn run_features(
        &self,
        config: &ProjectConfig,
        visitor: &mut Visitor,
        query: &FeatureQuery<'_>,
        options: &RunOptions<'_>,
    ) -> FeatureRun {
        feature::run_features(&self.settings, config, visitor, query, options)
    }

    /// One feature of `visitor` (see [`feature::run_feature`]).
    pub fn run_feature(
        &self,
        config: &ProjectConfig,
        visitor: &mut Visitor,
        key: &str,
        query: &FeatureQuery<'_>,
        options: &RunOptions<'_>,
    ) -> FeatureRun {
        feature::run_feature(&self.settings, config, visitor, key, query, options)
    }

    /// Explains `run_experience(key)` (see [`diagnose::diagnose_experience`]).
    pub fn diagnose_experience(
        &self,
        config: &ProjectConfig,
        visitor: &Visitor,
        key: &str,
        options: &RunOptions<'_>,
    ) -> Diagnosis {
        diagnose::diagnose_experience(&self.settings, config, visitor, key, options)
    }

    /// Explains `run_feature(key)` (see [`diagnose::diagnose_feature`]).
    pub fn diagnose_feature(
        &self,
        config: &ProjectConfig,
        visitor: &Visitor,
        key: &str,
        options: &RunOptions<'_>,
    ) -> Reason {
        diagnose::diagnose_feature(&self.settings, config, visitor, key, options)
    }

    /// Matches `rule_set` against `data` (see [`crate::rule`]).
    pub fn evaluate_rule(&self, rule_set: &Value, data: &Value) -> RuleEvaluation {
        let mut evaluator = RuleEvaluator::new(self.settings.rules);
        let mut diagnostics = Vec::new();
        let outcome = evaluator.evaluate(rule_set, data, "", &mut diagnostics);
        RuleEvaluation {
            outcome,
            diagnostics,
        }
    }
}
