//! STS (awsQuery, XML) in the simulator: GetCallerIdentity, so the console can name the caller
//! in confirmations and audit lines. Any credentials are accepted.

use super::{Caller, Reply, xml_escape};
use crate::sim::error::ApiError;
use crate::sim::world::RegionWorld;

pub fn handle(_w: &mut RegionWorld, caller: &Caller, op: &str, _body: &[u8]) -> Result<Reply, ApiError> {
    match op {
        "GetCallerIdentity" => {
            let arn = format!("arn:aws:sts::{}:assumed-role/WordPressOperator/wpops-demo", caller.account);
            Ok(Reply::Xml(format!(
                "<UserId>{}:wpops-demo</UserId><Account>{}</Account><Arn>{}</Arn>",
                xml_escape(&caller.access_key),
                caller.account,
                xml_escape(&arn)
            )))
        }
        _ => Err(ApiError::client("InvalidAction", format!("Could not find operation {op} for version 2011-06-15"))),
    }
}
