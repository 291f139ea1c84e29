"""modals"""
