"""The default noise list: engine chatter that is neither an event nor worth reporting.

Noise is matched on the event name with its digits ignored (`StatObjLoad 0x800 Format` also
covers `0x123`: the parser decides categories on digit-masked lines, see ADR 0001) and only
ever suppresses lines that no rule classified (upstream tray built-ins, 24 entries). Users
extend it with `ignore NAME`.
"""

DEFAULT_NOISE: frozenset[str] = frozenset(
    {
        "StatObjLoad 0x800 Format",
        "CContextEstablisherStepStart",
        "ContextEstablisherTaskFinished",
        "Context Establisher Blocked",
        "Context Establisher Unblocked",
        "Context Establisher Done",
        "ContextEstablisher Model Change State",
        "ContextEstablisher State Change Delivery Result",
        "ContextEstablisher Send State Change",
        "ContextEstablisher Remote Change State Success",
        "CSCLoadingPlatformManager::TransitionLightGroupState",
        "CSCLoadingPlatformManager::LoadEntitiesReference",
        "CSCLoadingPlatformManager::LoadEntitiesReference::<lambda_1>::operator ()",
        "CSCLoadingPlatformManager::OnLoadingPlatformStateChanged",
        "CSCLoadingPlatformManager::StopEffectForAllTags",
        "CSCLoadingPlatformManager::loadEntityFromXML::<lambda_1>::operator ()",
        "LoadingPlatformUtilities::LoadFromXmlNode",
        "Update group cache",
        "SerializedOverwrite",
        "RegisterUniverseHierarchy_End",
        "ReuseChannel",
        "Stream started",
        "[BuildingBlocks] Invalid Url",
        "ProximitySensorMakingLocalHelper",
    }
)
