//! TDengine's arithmetic typing on a DataFusion logical plan: `+ - * / %` and unary minus on
//! numbers give DOUBLE, so `7 / 2` is 3.5, not 3 (TDengine parser `translateArithmeticOperator`,
//! scalar `sclGetMathOperatorResType`). DECIMAL arithmetic keeps DataFusion's decimal rules;
//! `timestamp ± integer` is turned into an interval by the translator.
//!
//! The window derivation the translator builds for INTERVAL (a derived table exposing
//! `_wstart`) does exact integer arithmetic on ticks and is left alone.

use arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::{cast, BinaryExpr, Expr, ExprSchemable, LogicalPlan, Operator};

/// Rewrites every user expression of `plan` to TDengine's arithmetic types.
pub fn tdengine_arithmetic(plan: LogicalPlan) -> Result<LogicalPlan> {
    let rewritten = plan.transform_down(|node| {
        if is_window_derivation(&node) {
            return Ok(Transformed::new(node, false, TreeNodeRecursion::Jump));
        }
        rewrite_node(node)
    })?;
    if !rewritten.transformed {
        return Ok(rewritten.data);
    }
    // Output types changed below some nodes: recompute every schema bottom-up.
    rewritten
        .data
        .transform_up(|p| p.recompute_schema().map(Transformed::yes))
        .map(|t| t.data)
}

/// The derived table the translator wraps a windowed table in (it outputs `_wstart`).
fn is_window_derivation(node: &LogicalPlan) -> bool {
    matches!(node, LogicalPlan::SubqueryAlias(sa)
        if sa.input.schema().fields().iter().any(|f| f.name() == "_wstart"))
}

fn rewrite_node(node: LogicalPlan) -> Result<Transformed<LogicalPlan>> {
    if matches!(
        node,
        LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_)
    ) {
        return Ok(Transformed::no(node));
    }
    let mut schema = DFSchema::empty();
    for input in node.inputs() {
        schema.merge(input.schema());
    }
    let preserver = NamePreserver::new(&node);
    node.map_expressions(|e| {
        let saved = preserver.save(&e);
        let t = e.transform_up(|x| Ok(rewrite_expr(x, &schema)))?;
        Ok(if t.transformed {
            Transformed::yes(saved.restore(t.data))
        } else {
            t
        })
    })
}

fn is_number(t: &DataType) -> bool {
    t.is_integer() || t.is_floating()
}

fn to_double(e: Expr, t: &DataType) -> Expr {
    if *t == DataType::Float64 {
        e
    } else {
        cast(e, DataType::Float64)
    }
}

fn rewrite_expr(e: Expr, schema: &DFSchema) -> Transformed<Expr> {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(
                op,
                Operator::Plus
                    | Operator::Minus
                    | Operator::Multiply
                    | Operator::Divide
                    | Operator::Modulo
            ) =>
        {
            let (Ok(lt), Ok(rt)) = (left.get_type(schema), right.get_type(schema)) else {
                return Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right }));
            };
            if is_number(&lt)
                && is_number(&rt)
                && !(lt == DataType::Float64 && rt == DataType::Float64)
            {
                return Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                    Box::new(to_double(*left, &lt)),
                    op,
                    Box::new(to_double(*right, &rt)),
                )));
            }
            Transformed::no(Expr::BinaryExpr(BinaryExpr { left, op, right }))
        }
        Expr::Negative(inner) => match inner.get_type(schema) {
            Ok(t) if is_number(&t) && t != DataType::Float64 => {
                Transformed::yes(Expr::Negative(Box::new(cast(*inner, DataType::Float64))))
            }
            _ => Transformed::no(Expr::Negative(inner)),
        },
        other => Transformed::no(other),
    }
}
