# SPDX-License-Identifier: MIT
include $(sort $(wildcard $(BR2_EXTERNAL_CREDGATE_PATH)/package/*/*.mk))
