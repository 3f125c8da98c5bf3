"""Exercises and their checks: what a learner answers, the feedback, and (for instructors) grading."""
