import Lab

/// PLACEHOLDER until the controller's REST API lands (issue 5, the other half): `lab up` of a
/// topology with a controller stops at the apply step with this error and rolls back.
/// Replace this type with the REST client; `LabCommand.Up` is the only user.
struct PendingRESTApply: LabController {
    func apply(topologyPath: String, api: String) throws -> String {
        throw LabError("topology apply over the REST API is not wired yet")
    }
}
