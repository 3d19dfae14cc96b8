"""The demo's gait and range of motion (clinic.demo writes them through the exam's own forms): a runner's walking
and running gait recorded apart, and hip internal rotation measured prone on both sides, the painful side
gaining range week by week, so the chart's first-beside-latest shows the change. Synthetic values."""


def findings(visit: int) -> dict[str, dict]:
    """Section -> form data for the `visit`-th visit (0 = the first evaluation) of a demo story."""
    gait = {
        "walking_speed": "1.25", "walking_cadence": "114", "walking_step_length_left": "64",
        "walking_step_length_right": "68", "walking_step_width": "8",
        # Gait retraining: cadence up, overstride down; the left step catches up with the right.
        "running_speed": "3.1", "running_cadence": str(162 + 2 * visit),
        "running_step_length_left": str(112 + visit), "running_step_length_right": "121",
        "running_ground_contact_left": "252", "running_ground_contact_right": "241",
        "running_vertical_oscillation": "9.2", "running_overstride_left": str(max(8, 18 - 2 * visit)),
        "running_overstride_right": "12", "running_foot_strike_left": "rearfoot", "running_foot_strike_right": "midfoot",
        "running_tibial_angle_left": "7", "running_tibial_angle_right": "4",
        "running_pelvic_drop_left": "8", "running_pelvic_drop_right": "5",
    }
    if visit == 0:
        gait["running_deviations_left"] = ["overstriding"]
    mobility = {
        "hip_internal_rotation_position": "prone", "hip_internal_rotation_left": str(26 + 2 * visit),
        "hip_internal_rotation_right": "38", "hip_internal_rotation_left_pain": "on" if visit < 3 else "",
        "hip_external_rotation_position": "prone", "hip_external_rotation_left": "40",
        "hip_external_rotation_right": "43",
    }
    return {"gait": gait, "mobility": mobility}
